/**
 * The progress bar of the long-running commands (`sim`, `capture`): on stderr, only when it is a
 * terminal and only once a run has taken more than SHOW_AFTER_MS, so short runs and pipes stay
 * quiet. Shows simulated (device) seconds against the total when it is known.
 */
import { SingleBar } from 'cli-progress';

/** Wall time before the bar appears, ms. */
const SHOW_AFTER_MS = 1000;

export interface ProgressReporter {
  /** Simulated time reached, s. */
  update(t_s: number): void;
  /** Removes the bar (if it was shown). */
  stop(): void;
}

/**
 * `verb` starts the line ("simulating"); `what` names the seconds counted against the total
 * ("simulated"). total_s null: no bar, the seconds reached only. `unit` follows the numbers
 * (' s'; '' for a count such as captures).
 */
export function progressReporter(total_s: number | null, verb: string, what: string, unit = ' s'): ProgressReporter {
  const start = performance.now();
  let bar: SingleBar | null = null;
  const tty = process.stderr.isTTY === true;
  return {
    update(t_s: number) {
      if (!tty) return;
      if (!bar && performance.now() - start > SHOW_AFTER_MS) {
        bar = new SingleBar({
          stream: process.stderr,
          format: total_s ? ` ${verb} [{bar}] {percentage}% | {value}/{total}${unit} ${what} | ETA {eta}s` : ` ${verb} {value}${unit}`,
          hideCursor: true,
          clearOnComplete: true,
        });
        bar.start(total_s ? Math.round(total_s) : 0, 0);
      }
      bar?.update(Math.round(t_s));
    },
    stop() {
      bar?.stop();
    },
  };
}
