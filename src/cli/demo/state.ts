import type { CliContext } from '../context.js';

/** What the demo's steps share as they build the release, one step per capability. */
export interface DemoState {
  readonly ctx: CliContext;
  /** The release directory being produced (absolute). */
  readonly outDir: string;
  /** Release artifacts written into outDir, relative names, sorted. */
  artifacts: string[];
  /** Extra facts steps publish for later steps (paths, URLs, identities). */
  readonly facts: Map<string, unknown>;
  /** Cleanup callbacks (servers to stop), run in reverse order at the end. */
  readonly cleanups: (() => Promise<void>)[];
  log(line: string): void;
}

export interface DemoStep {
  readonly name: string;
  run(state: DemoState): Promise<void>;
}
