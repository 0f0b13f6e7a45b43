// The demo's steps, in order. Each capability's issue adds its step here.
import { createChecksumFile, verifyChecksumFile } from '../../digest/checksum-file.js';
import { CustodyError } from '../../errors.js';
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

// SHA256SUMS over the artifacts, then verified as `sha256sum -c` would (fact: 'checksums').
const writeChecksums: DemoStep = {
  name: 'checksums',
  async run(state) {
    const output = path.join(state.outDir, 'SHA256SUMS');
    const created = await createChecksumFile({
      output,
      inputs: state.artifacts.map((name) => path.join(state.outDir, name)),
      cwd: state.outDir,
    });
    state.log(`wrote SHA256SUMS (${created.entries.length} files, sha256)`);
    const verified = await verifyChecksumFile({ file: output, cwd: state.outDir });
    if (!verified.ok) {
      throw new CustodyError(
        'CHECKSUMS_MISMATCH',
        `demo SHA256SUMS did not verify: ${verified.failed.join(', ')}`
      );
    }
    state.log(`verified SHA256SUMS: ${verified.counts.ok} OK`);
    state.facts.set('checksums', output);
  },
};

export const DEMO_STEPS: readonly DemoStep[] = [writeArtifacts, writeChecksums];
