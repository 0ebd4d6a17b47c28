/**
 * Device time unwrapping. Frames carry the sender's clock as u32 milliseconds, which wraps every
 * 2^32 ms (49.7 days). A reader keeps the last raw value and adds the step to the next one
 * (`clockStep`): the difference modulo 2^32 as a signed 32-bit number, so a step forward of less
 * than 2^31 ms (24.8 days) is progress and a larger one is a step back (sender restart or
 * reordering), counted in `backwardSteps` — except a restart after more than 2^31 ms of uptime,
 * whose new clock (from 0) reads as a step forward: PROTOCOL.md section 6.
 */

/**
 * A reset restarts the sender's clock from 0: a clock reading under this (10 min), reached by a
 * step forward longer than this, is a restart (see `clockStep`).
 */
export const BOOT_WINDOW_MS = 600_000;

/**
 * The step of a sender's clock from `last_ms` to `t_ms` (both u32 ms), as PROTOCOL.md section 6
 * reads it: the difference modulo 2^32 as a signed 32-bit number (a wrap is progress, a step of
 * more than 2^31 ms forward is one back). A reading within BOOT_WINDOW_MS of 0 that this would
 * put more than BOOT_WINDOW_MS ahead can only have come through the clock's wrap, or from a
 * restart after more than 2^31 ms (24.8 days) of uptime, whose difference modulo 2^32 is positive
 * too; the second is by far the likelier (it is half of all restarts of a device up for weeks;
 * the first needs the reader to miss everything for over 10 min exactly across the wrap), so the
 * step is then back: `t_ms - last_ms`, negative.
 */
export function clockStep(t_ms: number, last_ms: number): number {
  const d = (t_ms - last_ms) | 0;
  return d > BOOT_WINDOW_MS && t_ms < BOOT_WINDOW_MS ? t_ms - last_ms : d;
}

export class DeviceClock {
  /** Times the clock went back. */
  backwardSteps = 0;
  private lastRaw = -1;
  private unwrapped = 0;

  /** Unwrapped time in ms for raw `t_ms` (0..2^32-1); the first call returns `t_ms` itself. */
  unwrap(t_ms: number): number {
    if (this.lastRaw < 0) {
      this.unwrapped = t_ms;
    } else {
      const d = clockStep(t_ms, this.lastRaw);
      if (d < 0) this.backwardSteps++;
      this.unwrapped += d;
    }
    this.lastRaw = t_ms;
    return this.unwrapped;
  }

  reset(): void {
    this.lastRaw = -1;
    this.unwrapped = 0;
    this.backwardSteps = 0;
  }
}
