/**
 * decode-24h: decode throughput of a 24 h capture of a 100s pack at 10 Hz (PACK_STATUS +
 * CELL_VOLTAGES (100 cells) + TEMPERATURES (32 sensors) every 100 ms, INFO every 5 s), next to
 * parsing the same telemetry written as JSON lines (one `messageToJson` object per message, as
 * hobby BMS tools emit) with JSON.parse, measured in the same run.
 *
 * The telemetry comes from a seeded generator (slow random-walk current, SOC integration, cell
 * voltages = OCV + IR + per-cell offset + noise, slowly varying temperatures). The JSON lines are
 * the capture's own messages as decoded (`messageToJson` + `JSON.stringify`), so both sides carry
 * exactly the same numbers.
 *
 * Binary: the whole capture (~320 MB) is built once and decoded REPS times in 64 KiB chunks
 * through `Decoder.push` with an `onMessage` callback; the median is reported. The headline
 * figures use the hot-path mode (`reuse: true`: the arrays of chunked messages are refilled, not
 * reallocated); `fresh_*` are the same with a new object and array per message, as JSON.parse
 * makes. JSON: the 1.4 GB of lines do not fit one string, so they are generated an hour at a
 * time (not timed) and each hour is parsed REPS times; the medians of the hours are summed.
 * `ratio_vs_json` compares the time to decode the same telemetry (messages per second);
 * `mb_ratio_vs_json` compares MB/s (the binary capture is 4.3 times smaller). The machine is
 * shared: other processes show up as noise, mostly in the JSON figure.
 *
 * Env: DECODE_BENCH_HOURS (default 24), DECODE_BENCH_REPS (default 3).
 */
import type { BenchCase } from '../case.ts';
import { median } from '../case.ts';
import { Decoder } from '../../protocol/decoder.ts';
import { Encoder } from '../../protocol/encoder.ts';
import { messageToJson } from '../../protocol/json.ts';
import {
  BmsState, FaultCode, MessageType, type CellVoltages, type Info, type Message, type PackStatus,
  type Temperatures, type TierLimits,
} from '../../protocol/messages.ts';

const NS = 100;
const NT = 32;
const HZ = 10;
const INFO_EVERY = 50; // ticks (5 s)
const CHUNK = 1 << 16;
const SEED = 42;

/** mulberry32 */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const tier = (vMax: number, vMin: number, i: number, t: number): TierLimits => ({
  cellVoltageMax_V: vMax, cellVoltageMin_V: vMin, chargeCurrentMax_A: 30 + i, dischargeCurrentMax_A: 100 + 2 * i,
  chargeTemperatureMin_C: 5 - t, chargeTemperatureMax_C: 40 + t, dischargeTemperatureMin_C: -15 - t,
  dischargeTemperatureMax_C: 50 + t,
});

/** Seeded telemetry source; `tick(k, emit)` emits the messages of tick k (t_ms = 100 k). */
function telemetry(seed: number): (k: number, emit: (m: Message, t_ms: number) => void) => void {
  const rnd = prng(seed);
  const offset = Float64Array.from({ length: NS }, () => (rnd() - 0.5) * 0.012);
  const r0 = Float64Array.from({ length: NS }, () => 0.0015 * (1 + 0.1 * (rnd() - 0.5)));
  const tOff = Float64Array.from({ length: NT }, () => (rnd() - 0.5) * 3);
  const v = new Float64Array(NS);
  const temps = new Float64Array(NT);
  const cells: CellVoltages = { type: MessageType.CELL_VOLTAGES, offset: 0, voltages_V: v };
  const temperatures: Temperatures = { type: MessageType.TEMPERATURES, offset: 0, temperatures_C: temps };
  const info: Info = {
    type: MessageType.INFO, firmwareMajor: 0, firmwareMinor: 4, firmwarePatch: 0, deviceId: 0x4e410064, flags: 1,
    ns: NS, np: 1, cellVoltageSensors: NS, temperatureSensors: NT, currentSensors: 1, cellCapacity_Ah: 50,
    chemistry: 'nfpp-prismatic', limits: { mol: tier(3.9, 1.7, 0, 0), rsl: tier(3.95, 1.6, 10, 5), msl: tier(4.0, 1.5, 20, 10) },
  };
  let soc = 0.8;
  let current = -20;
  let ambient = 25;
  return (k, emit) => {
    const t_ms = k * (1000 / HZ);
    current += (rnd() - 0.5) * 2 - current * 0.002;
    if (current > 45) current = 45;
    if (current < -95) current = -95;
    soc += (current / HZ) / 3600 / 50;
    if (soc < 0.1 || soc > 0.95) current = -current;
    ambient += (rnd() - 0.5) * 0.01;
    const ocv = 2.9 + 0.9 * soc;
    let sum = 0, vmin = Infinity, vmax = -Infinity, imin = 0, imax = 0;
    for (let i = 0; i < NS; i++) {
      const x = ocv + offset[i]! + r0[i]! * current + (rnd() - 0.5) * 0.0006;
      v[i] = x;
      sum += x;
      if (x < vmin) { vmin = x; imin = i; }
      if (x > vmax) { vmax = x; imax = i; }
    }
    let tmin = Infinity, tmax = -Infinity, jmin = 0, jmax = 0;
    for (let j = 0; j < NT; j++) {
      const x = ambient + tOff[j]! + Math.abs(current) * 0.05 + (rnd() - 0.5) * 0.1;
      temps[j] = x;
      if (x < tmin) { tmin = x; jmin = j; }
      if (x > tmax) { tmax = x; jmax = j; }
    }
    if (k % INFO_EVERY === 0) emit(info, t_ms);
    const status: PackStatus = {
      type: MessageType.PACK_STATUS, state: current > 0 ? BmsState.CHARGE : BmsState.NORMAL,
      mainPositiveClosed: true, mainNegativeClosed: true, prechargeClosed: false, balancingCount: 0,
      packVoltage_V: sum, current_A: current, soc, soh: 0.97,
      cellVoltageMin_V: vmin, cellVoltageMax_V: vmax, cellVoltageMinIndex: imin, cellVoltageMaxIndex: imax,
      temperatureMin_C: tmin, temperatureMax_C: tmax, temperatureMinIndex: jmin, temperatureMaxIndex: jmax,
      faultMask: 0, warningMask: 0, infoMask: vmax - vmin > 0.015 ? 1 << FaultCode.CELL_VOLTAGE_SPREAD : 0,
      chargeCurrentLimit_A: 40, dischargeCurrentLimit_A: 100,
    };
    emit(status, t_ms);
    emit(cells, t_ms);
    emit(temperatures, t_ms);
  };
}

export const cases: BenchCase[] = [
  {
    name: 'decode-24h',
    run() {
      const tStart = performance.now();
      const hours = Number(process.env.DECODE_BENCH_HOURS ?? 24);
      const reps = Number(process.env.DECODE_BENCH_REPS ?? 3);
      const ticks = hours * 3600 * HZ;

      // Binary capture, built once.
      const enc = new Encoder({ initialCapacity: 1 << 20 });
      const gen = telemetry(SEED);
      const emitBin = (m: Message, t_ms: number): void => void enc.encode(m, t_ms);
      for (let k = 0; k < ticks; k++) gen(k, emitBin);
      const capture = enc.view();
      const tBuilt = performance.now();

      let frames = 0;
      let sink = 0;
      const decodeSeconds = (reuse: boolean): number => {
        const times: number[] = [];
        for (let r = 0; r < reps; r++) {
          const dec = new Decoder({
            reuse,
            onMessage: (m) => {
              sink += m.t_ms;
            },
          });
          const t0 = performance.now();
          for (let p = 0; p < capture.length; p += CHUNK) dec.push(capture.subarray(p, p + CHUNK));
          dec.finish();
          times.push((performance.now() - t0) / 1000);
          frames = dec.counters.messages;
          if (dec.counters.frames !== frames) throw new Error(`decode-24h: ${JSON.stringify(dec.counters)}`);
        }
        return median(times);
      };
      const binS = decodeSeconds(true);
      const binFreshS = decodeSeconds(false);
      const tBin = performance.now();

      // JSON lines of the same telemetry (the capture's messages, as decoded), an hour at a time.
      let jsonBytes = 0;
      let jsonLines = 0;
      let jsonS = 0;
      const perHour = 3600 * HZ * (3 + 1 / INFO_EVERY);
      let lines: string[] = [];
      const parseHour = (): void => {
        const text = lines.join('\n') + '\n';
        lines = [];
        jsonBytes += text.length; // ASCII: one byte per character
        const times: number[] = [];
        for (let r = 0; r < reps; r++) {
          let n = 0;
          const t0 = performance.now();
          let p = 0;
          for (;;) {
            const nl = text.indexOf('\n', p);
            if (nl < 0) break;
            const o = JSON.parse(text.slice(p, nl)) as { t_ms: number };
            sink += o.t_ms;
            n++;
            p = nl + 1;
          }
          times.push((performance.now() - t0) / 1000);
          if (r === 0) jsonLines += n;
        }
        jsonS += median(times);
      };
      const toLines = new Decoder({
        onMessage: (m) => {
          lines.push(JSON.stringify(messageToJson(m)));
          if (lines.length >= perHour) parseHour();
        },
      });
      for (let p = 0; p < capture.length; p += CHUNK) toLines.push(capture.subarray(p, p + CHUNK));
      toLines.finish();
      if (lines.length > 0) parseHour();
      const tJson = performance.now();
      if (jsonLines !== frames) throw new Error(`decode-24h: ${jsonLines} JSON lines vs ${frames} frames`);
      if (sink === -1) console.log(sink);

      const mbPerS = capture.length / 1e6 / binS;
      const jsonMbPerS = jsonBytes / 1e6 / jsonS;
      return {
        mb_per_s: round(mbPerS),
        frames_per_s: Math.round(frames / binS),
        json_lines_mb_per_s: round(jsonMbPerS),
        ratio_vs_json: round(jsonS / binS),
        json_lines_per_s: Math.round(jsonLines / jsonS),
        mb_ratio_vs_json: round(mbPerS / jsonMbPerS),
        fresh_mb_per_s: round(capture.length / 1e6 / binFreshS),
        fresh_ratio_vs_json: round(jsonS / binFreshS),
        capture_mb: round(capture.length / 1e6),
        json_mb: round(jsonBytes / 1e6),
        frames,
        hours,
        reps,
        wall_s_build_decode_json: `${round((tBuilt - tStart) / 1000)}/${round((tBin - tBuilt) / 1000)}/${round((tJson - tBin) / 1000)}`,
      };
    },
  },
];

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
