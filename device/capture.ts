/**
 * A capture made without a serial line: a scenario runs in the emulated BMS (device/model.ts in
 * an EmulatedDevice, protocol/device.ts) synchronously, as fast as the machine allows, and the
 * wire bytes go to `out` as they leave the device: exactly what `natrium stream --record` would
 * have recorded from `natrium emulate` on a perfect line, without waiting for the wall clock.
 * Isomorphic; device/node/capture-file.ts writes it to a file.
 *
 * The line:
 * - no `baudRate`: no bandwidth ceiling and nothing dropped. The line runs at NO_CEILING_BAUD
 *   with a transmit queue that never fills, so every frame made in a tick leaves at the next
 *   one, whatever the pack size and rates (`framesDropped` stays 0; a decoder counts no gap);
 * - `baudRate`: the line is paced on device time as in `natrium emulate --baud` (10 bits a byte,
 *   the default 4 KiB queue); when telemetry exceeds it whole frames are dropped and counted
 *   (protocol/link.ts), and a reader counts each as a missing seq.
 * `linkFaults` adds seeded faults to either (protocol/linkfaults.ts), seeded by `seed`.
 *
 * The end: at `duration_s` when given. Otherwise at the scenario's own `duration_s`, or, when
 * its steps are over first, END_TAIL_MS of device time after that is seen (the end conditions
 * are looked at every STOP_CHECK_MS; the pack rests meanwhile, the BMS still running), so that
 * the final state and the EVENTs the end of the last step caused go out. Frames still queued at the end are then sent (the line drains), so nothing the device
 * made and did not drop is missing from the capture.
 *
 * Telemetry: the session's default rates (protocol/session.ts DEFAULT_RATES_HZ) plus
 * SIM_CELL_TRUTH at 1 Hz (CAPTURE_RATES_HZ), so that an analyser has the per-cell truth; `rates`
 * overrides any of them. Two captures of the same scenario with the same options and seed are
 * identical byte for byte: nothing here reads a clock.
 */
import { EmulatedDevice } from '../protocol/device.ts';
import type { LinkFaultCounters, LinkFaultRates } from '../protocol/linkfaults.ts';
import { MessageType } from '../protocol/messages.ts';
import type { PeriodicType } from '../protocol/session.ts';
import type { Scenario } from '../sim/scenario.ts';
import { ScenarioModel } from './model.ts';

export interface CaptureOptions {
  /** Receives the wire bytes in order as they leave; they are only valid during the call (copy to keep). */
  out: (bytes: Uint8Array) => void;
  /** Stop at this device time, s (default: see the file comment). */
  duration_s?: number;
  /** Line rate, bit/s (default: none, no bandwidth ceiling). */
  baudRate?: number;
  /** Seeded faults on the line (default none). */
  linkFaults?: LinkFaultRates | null;
  /** Seed of the link faults (default the scenario's seed). */
  seed?: number;
  /** Telemetry rates, Hz, over CAPTURE_RATES_HZ. */
  rates?: Partial<Record<PeriodicType, number>>;
  /** Called every STOP_CHECK_MS of device time: device time reached and the end, s (null: when the steps are over). */
  onProgress?: (t_s: number, total_s: number | null) => void;
}

/** Why the capture stopped. */
export type CaptureEnd = 'duration' | 'scenario_duration' | 'steps_over';

export interface CaptureSummary {
  /** Device time reached, s (the last tick; queued frames drained after it). */
  time_s: number;
  /** Frames that went on the line (link faults may have lost or damaged some). */
  framesSent: number;
  /** Bytes written to `out`. */
  bytesSent: number;
  /** Frames dropped by pacing (the line too slow for the telemetry; 0 without `baudRate`). */
  framesDropped: number;
  /** What the link faults did, null without `linkFaults`. */
  linkFaults: LinkFaultCounters | null;
  /** The scenario's steps were over, or its own duration reached, by the end. */
  scenarioEnded: boolean;
  end: CaptureEnd;
}

/** Rates on top of the session's defaults, Hz. */
export const CAPTURE_RATES_HZ: Readonly<Partial<Record<PeriodicType, number>>> = { [MessageType.SIM_CELL_TRUTH]: 1 };
/** Device time run after the scenario's steps are over, ms. */
export const END_TAIL_MS = 2000;
/** The line rate standing for "no ceiling", bit/s: a 10 ms tick could carry 10^9 bytes. */
export const NO_CEILING_BAUD = 1e12;
/** Transmit queue without a ceiling, bytes: it never fills, so pacing never drops a frame. */
const NO_CEILING_QUEUE_BYTES = Number.MAX_SAFE_INTEGER;
/** Device time between two looks at the end conditions (and progress reports), ms. */
export const STOP_CHECK_MS = 1000;
/** Device time per line advance while the queue drains after the end, ms. */
const DRAIN_STEP_MS = 1000;

/** Runs `scenario` in the emulated BMS and passes its wire bytes to `opts.out` (see the file comment). */
export function captureScenario(scenario: Scenario, opts: CaptureOptions): CaptureSummary {
  if (typeof opts !== 'object' || opts === null) throw new TypeError(`"opts" must be an object: ${String(opts)}`);
  const { out, duration_s, baudRate, linkFaults = null, seed = scenario.seed, rates, onProgress } = opts;
  if (typeof out !== 'function') throw new TypeError(`"out" must be a function: ${String(out)}`);
  if (duration_s !== undefined && !(duration_s > 0 && Number.isFinite(duration_s))) {
    throw new TypeError(`"duration_s" must be a positive number: ${String(duration_s)}`);
  }
  if (baudRate !== undefined && !(baudRate > 0 && Number.isFinite(baudRate))) {
    throw new TypeError(`"baudRate" must be a positive number: ${String(baudRate)}`);
  }
  const model = new ScenarioModel(scenario, { duration_s });
  const device = new EmulatedDevice(model, out, {
    baudRate: baudRate ?? NO_CEILING_BAUD,
    queueBytes: baudRate === undefined ? NO_CEILING_QUEUE_BYTES : undefined,
    faults: linkFaults,
    seed,
    rates: { ...CAPTURE_RATES_HZ, ...rates },
  });

  const limit_s = duration_s ?? scenario.duration_s;
  let until_ms = limit_s === null ? Infinity : limit_s * 1000;
  let end: CaptureEnd = duration_s !== undefined ? 'duration' : 'scenario_duration';
  while (device.time_ms + device.tick_ms <= until_ms + 1e-9) {
    device.advanceTo(Math.min(until_ms, device.time_ms + STOP_CHECK_MS));
    if (end === 'scenario_duration' && model.stepsOver && !model.ended) {
      end = 'steps_over';
      until_ms = Math.min(until_ms, device.time_ms + END_TAIL_MS);
    }
    onProgress?.(device.time_ms / 1000, limit_s);
  }
  drain(device);

  const link = device.link.counters;
  return {
    time_s: device.time_ms / 1000,
    framesSent: link.framesSent,
    bytesSent: link.bytesSent,
    framesDropped: link.framesDropped,
    linkFaults: device.faults === null ? null : { ...device.faults.counters },
    scenarioEnded: model.stepsOver || end === 'scenario_duration',
    end,
  };
}

/** Sends what is still queued, on device time past the last tick (the device is not ticked again). */
function drain(device: EmulatedDevice): void {
  const link = device.link;
  for (let t = device.time_ms; !link.idle;) {
    t += DRAIN_STEP_MS;
    link.advance(t);
  }
}
