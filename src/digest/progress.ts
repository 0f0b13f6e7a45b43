// A progress line for long hashing runs: shown only on an interactive stderr and only once the
// work has taken more than a second, redrawn at most 5 times a second, erased at the end.
import type { DigestProgress } from './files.js';

export interface ProgressLine {
  update(progress: DigestProgress): void;
  /** Erases the line if one was drawn. */
  done(): void;
}

export function createProgressLine(options: {
  readonly enabled: boolean;
  readonly write: (text: string) => void;
  /** Milliseconds, from the caller's clock. */
  readonly now: () => number;
  readonly label?: string;
  readonly delayMs?: number;
}): ProgressLine {
  const start = options.now();
  const delay = options.delayMs ?? 1000;
  let lastDraw = -Infinity;
  let drawn = false;
  return {
    update(progress) {
      if (!options.enabled) return;
      const now = options.now();
      if (now - start < delay || now - lastDraw < 200) return;
      lastDraw = now;
      drawn = true;
      options.write(`\r\x1b[K${formatProgress(progress, options.label ?? 'hashing')}`);
    },
    done() {
      if (drawn) options.write('\r\x1b[K');
      drawn = false;
    },
  };
}

export function formatProgress(progress: DigestProgress, label: string): string {
  const gb = (bytes: number): string => (bytes / 1e9).toFixed(2);
  const percent =
    progress.bytesTotal > 0
      ? Math.min(100, Math.floor((progress.bytesDone / progress.bytesTotal) * 100))
      : 0;
  return `${label}: ${progress.filesDone}/${progress.filesTotal} files, ${gb(progress.bytesDone)}/${gb(progress.bytesTotal)} GB (${percent}%)`;
}
