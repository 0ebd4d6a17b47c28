/**
 * Runs an EmulatedDevice against the wall clock: device time = `speed` × elapsed wall time. A
 * timer wakes every `interval_ms` and advances the device to the time due; a device that cannot
 * keep up (a sim step slower than real time at a high speed) falls behind by whole wakes only,
 * never skipping ticks: every tick runs, later than due, and `lag_ms` says by how much. A wake
 * runs ticks for at most `wakeBudget_ms` of wall time, then yields.
 */
import type { EmulatedDevice } from '../device.ts';

export interface RealtimeOptions {
  /** Device ms per wall ms (default 1). */
  speed?: number;
  /** Wake period, wall ms (default 10). */
  interval_ms?: number;
  /** Most device time run per wake, ms (default 1000 × speed... bounded so one wake stays short). */
  maxStep_ms?: number;
  /** Stop at this device time, ms (default: never). */
  until_ms?: number;
  /**
   * Most wall time one wake may run ticks, ms (default 50): a device far slower than `speed` asks
   * (1e12× real time) then yields to the event loop between wakes, so the port drains and a
   * Ctrl-C is heard, instead of one wake running for ever.
   */
  wakeBudget_ms?: number;
  /** Called after each wake with the device time reached. */
  onAdvance?: (t_ms: number) => void;
}

/** Ticks run between two looks at the wall clock within a wake. */
const TICKS_PER_LOOK = 100;

export interface RealtimeRun {
  /** Device time behind the wall clock × speed, ms. */
  readonly lag_ms: number;
  /** Resolves when stopped (by `stop` or `until_ms`). */
  readonly done: Promise<void>;
  stop(): void;
}

export function runRealtime(device: EmulatedDevice, options: RealtimeOptions = {}): RealtimeRun {
  const { speed = 1, interval_ms = 10, until_ms = Infinity, onAdvance } = options;
  if (typeof speed !== 'number' || !(speed > 0) || !Number.isFinite(speed)) throw new TypeError(`"speed" must be a positive number: ${String(speed)}`);
  if (typeof interval_ms !== 'number' || !(interval_ms > 0)) throw new TypeError(`"interval_ms" must be a positive number: ${String(interval_ms)}`);
  const maxStep_ms = options.maxStep_ms ?? Math.max(1000, 100 * speed);
  const budget_ms = options.wakeBudget_ms ?? 50;
  if (typeof budget_ms !== 'number' || !(budget_ms > 0)) throw new TypeError(`"wakeBudget_ms" must be a positive number: ${String(budget_ms)}`);
  const t0Wall = performance.now();
  const t0Dev = device.time_ms;
  let lag = 0;
  let stopped = false;
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => (finish = resolve));
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    finish();
  };
  const wake = (): void => {
    const target = Math.min(until_ms, t0Dev + (performance.now() - t0Wall) * speed);
    const to = Math.min(target, device.time_ms + maxStep_ms);
    const stopAt = performance.now() + budget_ms;
    const look = TICKS_PER_LOOK * device.tick_ms;
    do device.advanceTo(Math.min(to, device.time_ms + look));
    while (device.time_ms + device.tick_ms <= to && performance.now() < stopAt);
    lag = target - device.time_ms;
    onAdvance?.(device.time_ms);
    if (device.time_ms + device.tick_ms > until_ms) stop();
  };
  const timer = setInterval(wake, interval_ms);
  return {
    get lag_ms() {
      return lag;
    },
    done,
    stop,
  };
}
