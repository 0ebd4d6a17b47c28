/**
 * The task scheduler: a fast task (10 ms by default, configurable, e.g. 100 ms for long
 * runs), a mid task (100 ms) and a slow task (1 s), driven by simulated time. Tick k runs at
 * k * fast_period_ms (k >= 1); the mid task runs on every (mid/fast)-th tick and the slow task
 * on every (slow/fast)-th, in the same tick after the fast work. Time is kept in whole ms.
 */
export interface TaskFlags {
  /** Time of the tick, ms since the start. */
  t_ms: number;
  mid: boolean;
  slow: boolean;
}

export class Scheduler {
  readonly fast_ms: number;
  readonly midEvery: number;
  readonly slowEvery: number;
  /** Ticks run so far. */
  tick = 0;
  private readonly flags: TaskFlags = { t_ms: 0, mid: false, slow: false };

  constructor(periods: { fast_period_ms: number; mid_period_ms: number; slow_period_ms: number }) {
    const { fast_period_ms: f, mid_period_ms: m, slow_period_ms: s } = periods;
    if (!(Number.isInteger(f) && f >= 1)) throw new TypeError(`"fast_period_ms" must be a whole number >= 1, got ${f}`);
    if (!(m % f === 0 && m >= f)) throw new TypeError(`"mid_period_ms" must be a whole multiple of fast_period_ms (${f}), got ${m}`);
    if (!(s % m === 0 && s >= m)) throw new TypeError(`"slow_period_ms" must be a whole multiple of mid_period_ms (${m}), got ${s}`);
    this.fast_ms = f;
    this.midEvery = m / f;
    this.slowEvery = s / f;
  }

  /** Time of the next tick, ms. */
  get next_ms(): number {
    return (this.tick + 1) * this.fast_ms;
  }

  /**
   * Run every tick due up to and including t_ms. `run` receives a flags object that is reused
   * between ticks (copy what you keep).
   */
  runUntil(t_ms: number, run: (flags: TaskFlags) => void): void {
    const fl = this.flags;
    while ((this.tick + 1) * this.fast_ms <= t_ms) {
      const k = ++this.tick;
      fl.t_ms = k * this.fast_ms;
      fl.mid = k % this.midEvery === 0;
      fl.slow = k % this.slowEvery === 0;
      run(fl);
    }
  }
}
