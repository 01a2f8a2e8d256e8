import { Presets, SingleBar } from 'cli-progress';

export interface Progress {
  done: number;
  total: number;
  byStatus: Partial<Record<string, number>>;
}

/**
 * A progress bar on stderr (cli-progress), so stdout keeps only the JSON result. Drawn on a terminal
 * only: redirected to a file it stays quiet.
 */
export function progressBar(label: string): { update(progress: Progress): void; stop(): void } {
  const bar = new SingleBar({ stream: process.stderr, format: `${label} {bar} {value}/{total} | {counts} | {duration_formatted}`, hideCursor: true }, Presets.shades_classic);
  let started = false;
  return {
    update({ done, total, byStatus }) {
      const counts = Object.entries(byStatus)
        .map(([status, count]) => `${status} ${count}`)
        .join(', ');
      if (!started) {
        bar.start(total, done, { counts });
        started = true;
      } else {
        bar.update(done, { counts });
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
