/**
 * Device time unwrapping. Frames carry the sender's clock as u32 milliseconds, which wraps every
 * 2^32 ms (49.7 days). A reader keeps the last raw value and adds the difference to the next one
 * taken modulo 2^32 as a signed 32-bit number: a step forward of less than 2^31 ms (24.8 days) is
 * progress, a larger one is a step back (sender restart or reordering), counted in `backwardSteps`.
 */
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
      const d = (t_ms - this.lastRaw) | 0;
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
