// The demo's steps, in order. Each capability's issue adds its step here.
import { writeFileAtomic } from '../../io/fs.js';
import path from 'node:path';
import { sampleArtifacts } from './sample.js';
import type { DemoStep } from './state.js';

const writeArtifacts: DemoStep = {
  name: 'artifacts',
  async run(state) {
    for (const file of sampleArtifacts()) {
      await writeFileAtomic(path.join(state.outDir, file.name), file.content);
      state.artifacts.push(file.name);
    }
    state.artifacts.sort();
    state.log(`wrote ${state.artifacts.length} sample artifacts`);
  },
};

export const DEMO_STEPS: readonly DemoStep[] = [writeArtifacts];
