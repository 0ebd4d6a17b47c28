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
 * figures use the hot-path mode (`reuse: true`: the objects and arrays of chunked messages and of
 * PACK_STATUS are refilled, not reallocated); `fresh_*` are the same with a new object and array
 * per message, as JSON.parse makes (FRESH_REPS runs). Every frame is fully checked (COBS, length,
 * CRC-32C, version, sequence) and fully decoded in both modes. The headline runs on the
 * decoder's default path, where the WebAssembly frame scanner (protocol/framescan/) splits,
 * un-stuffs and CRC-checks the frames; `js_*` are the same on the JavaScript path
 * (`engine: 'js'`, JS_REPS runs, interleaved with the JSON side like the headline).
 *
 * JSON: the 1.4 GB of lines do not fit one string, and writing them (number formatting) costs
 * about twice as much as parsing them, so the JSON side is measured on JSON_HOURS hours spread evenly over
 * the day (default 4: hours 0, 6, 12, 18): their lines are built once (not timed), parsed once per
 * round, and the time is scaled to 24 h by the message count. Every hour carries the same mix of
 * messages (same counts and layouts), so the scaled time is the 24 h time up to noise;
 * `json_hours_measured` says how many were. DECODE_BENCH_JSON_HOURS=24 parses all of them (the
 * strings then need about 1.4 GB of heap: add --max-old-space-size).
 *
 * The two sides are interleaved: each of the REPS rounds decodes the capture, then parses the
 * JSON hours, so both see the same load on a shared machine. `ratio_vs_json` is the median of
 * the per-round ratios of the time to decode the same telemetry (the same messages);
 * `mb_ratio_vs_json` compares MB/s (the binary capture is 4.3 times smaller).
 *
 * Env: DECODE_BENCH_HOURS (default 24), DECODE_BENCH_REPS (default 5), DECODE_BENCH_FRESH_REPS
 * (default 1), DECODE_BENCH_JS_REPS (default 3), DECODE_BENCH_JSON_HOURS (default 4).
 */
import type { BenchCase } from '../case.ts';
import { median } from '../case.ts';
import { Decoder } from '../../protocol/decoder.ts';
import { Encoder } from '../../protocol/encoder.ts';
import { messageToJson } from '../../protocol/json.ts';
import {
  BmsState,
  FaultCode,
  MessageType,
  type CellVoltages,
  type Info,
  type Message,
  type PackStatus,
  type Temperatures,
  type TierLimits,
} from '../../protocol/messages.ts';
import { mulberry32 } from '../../protocol/internal/random.ts';

const NS = 100;
const NT = 32;
const HZ = 10;
const INFO_EVERY = 50; // ticks (5 s)
const CHUNK = 1 << 16;
const SEED = 42;

const tier = (vMax: number, vMin: number, i: number, t: number): TierLimits => ({
  cellVoltageMax_V: vMax,
  cellVoltageMin_V: vMin,
  chargeCurrentMax_A: 30 + i,
  dischargeCurrentMax_A: 100 + 2 * i,
  chargeTemperatureMin_C: 5 - t,
  chargeTemperatureMax_C: 40 + t,
  dischargeTemperatureMin_C: -15 - t,
  dischargeTemperatureMax_C: 50 + t,
});

/** Seeded telemetry source; `tick(k, emit)` emits the messages of tick k (t_ms = 100 k). */
function telemetry(seed: number, infoOverrides: Partial<Info> = {}): (k: number, emit: (m: Message, t_ms: number) => void) => void {
  const rnd = mulberry32(seed);
  const offset = Float64Array.from({ length: NS }, () => (rnd() - 0.5) * 0.012);
  const r0 = Float64Array.from({ length: NS }, () => 0.0015 * (1 + 0.1 * (rnd() - 0.5)));
  const tOff = Float64Array.from({ length: NT }, () => (rnd() - 0.5) * 3);
  const v = new Float64Array(NS);
  const temps = new Float64Array(NT);
  const cells: CellVoltages = { type: MessageType.CELL_VOLTAGES, offset: 0, voltages_V: v };
  const temperatures: Temperatures = { type: MessageType.TEMPERATURES, offset: 0, temperatures_C: temps };
  const info: Info = {
    type: MessageType.INFO,
    firmwareMajor: 0,
    firmwareMinor: 4,
    firmwarePatch: 0,
    deviceId: 0x4e410064,
    flags: 1,
    ns: NS,
    np: 1,
    cellVoltageSensors: NS,
    temperatureSensors: NT,
    currentSensors: 1,
    cellCapacity_Ah: 50,
    chemistry: 'nfpp-prismatic',
    limits: { mol: tier(3.9, 1.7, 0, 0), rsl: tier(3.95, 1.6, 10, 5), msl: tier(4.0, 1.5, 20, 10) },
    ...infoOverrides,
  };
  // the SOC integrates the pack the INFO describes, so the analyser's coulomb count agrees with it
  const packCapacity_Ah = info.cellCapacity_Ah * info.np;
  let soc = 0.8;
  let current = -20;
  let ambient = 25;
  return (k, emit) => {
    const t_ms = k * (1000 / HZ);
    current += (rnd() - 0.5) * 2 - current * 0.002;
    if (current > 45) current = 45;
    if (current < -95) current = -95;
    soc += current / HZ / 3600 / packCapacity_Ah;
    if (soc < 0.1 || soc > 0.95) current = -current;
    ambient += (rnd() - 0.5) * 0.01;
    const ocv = 2.9 + 0.9 * soc;
    let sum = 0,
      vmin = Infinity,
      vmax = -Infinity,
      imin = 0,
      imax = 0;
    for (let i = 0; i < NS; i++) {
      const x = ocv + offset[i]! + r0[i]! * current + (rnd() - 0.5) * 0.0006;
      v[i] = x;
      sum += x;
      if (x < vmin) {
        vmin = x;
        imin = i;
      }
      if (x > vmax) {
        vmax = x;
        imax = i;
      }
    }
    let tmin = Infinity,
      tmax = -Infinity,
      jmin = 0,
      jmax = 0;
    for (let j = 0; j < NT; j++) {
      const x = ambient + tOff[j]! + Math.abs(current) * 0.05 + (rnd() - 0.5) * 0.1;
      temps[j] = x;
      if (x < tmin) {
        tmin = x;
        jmin = j;
      }
      if (x > tmax) {
        tmax = x;
        jmax = j;
      }
    }
    if (k % INFO_EVERY === 0) emit(info, t_ms);
    const status: PackStatus = {
      type: MessageType.PACK_STATUS,
      state: current > 0 ? BmsState.CHARGE : BmsState.NORMAL,
      mainPositiveClosed: true,
      mainNegativeClosed: true,
      prechargeClosed: false,
      balancingCount: 0,
      packVoltage_V: sum,
      current_A: current,
      soc,
      soh: 0.97,
      cellVoltageMin_V: vmin,
      cellVoltageMax_V: vmax,
      cellVoltageMinIndex: imin,
      cellVoltageMaxIndex: imax,
      temperatureMin_C: tmin,
      temperatureMax_C: tmax,
      temperatureMinIndex: jmin,
      temperatureMaxIndex: jmax,
      faultMask: 0,
      warningMask: 0,
      infoMask: vmax - vmin > 0.015 ? 1 << FaultCode.CELL_VOLTAGE_SPREAD : 0,
      chargeCurrentLimit_A: 40,
      dischargeCurrentLimit_A: 100,
    };
    emit(status, t_ms);
    emit(cells, t_ms);
    emit(temperatures, t_ms);
  };
}

/**
 * The binary capture of `hours` of telemetry (seeded; the bench's fixture). `info` overrides
 * fields of the INFO messages (the telemetry itself is the same).
 */
export function buildCapture(hours: number, info: Partial<Info> = {}): Uint8Array {
  const enc = new Encoder({ initialCapacity: 1 << 20 });
  const gen = telemetry(SEED, info);
  const emitBin = (m: Message, t_ms: number): void => void enc.encode(m, t_ms);
  const ticks = hours * 3600 * HZ;
  for (let k = 0; k < ticks; k++) gen(k, emitBin);
  return enc.view();
}

export const cases: BenchCase[] = [
  {
    name: 'decode-24h',
    run() {
      const tStart = performance.now();
      const hours = envInt('DECODE_BENCH_HOURS', 24);
      const reps = envInt('DECODE_BENCH_REPS', 5);
      const freshReps = envInt('DECODE_BENCH_FRESH_REPS', 1);
      const jsReps = envInt('DECODE_BENCH_JS_REPS', 3);
      const jsonHours = Math.min(hours, envInt('DECODE_BENCH_JSON_HOURS', 4));

      // Binary capture, built once.
      const capture = buildCapture(hours);
      const tBuilt = performance.now();

      let frames = 0;
      let sink = 0;
      const decodeOnce = (reuse: boolean, engine: 'auto' | 'js' = 'auto'): number => {
        const dec = new Decoder({
          reuse,
          engine,
          onMessage: (m) => {
            sink += m.t_ms;
          },
        });
        const t0 = performance.now();
        for (let p = 0; p < capture.length; p += CHUNK) dec.push(capture.subarray(p, p + CHUNK));
        dec.finish();
        const s = (performance.now() - t0) / 1000;
        frames = dec.counters.messages;
        if (dec.counters.frames !== frames) throw new Error(`decode-24h: ${JSON.stringify(dec.counters)}`);
        return s;
      };

      // JSON lines of the same telemetry (the capture's messages, as decoded), for the sampled hours.
      const sampled = new Set(Array.from({ length: jsonHours }, (_, i) => Math.floor((i * hours) / jsonHours)));
      const hourMs = 3600 * 1000;
      const texts: string[] = [];
      let lines: string[] = [];
      const endHour = (): void => {
        if (lines.length > 0) texts.push(lines.join('\n') + '\n');
        lines = [];
      };
      let hourOfLines = -1;
      const toLines = new Decoder({
        onMessage: (m) => {
          const h = Math.floor(m.t_ms / hourMs);
          if (h !== hourOfLines) endHour();
          hourOfLines = h;
          if (sampled.has(h)) lines.push(JSON.stringify(messageToJson(m)));
        },
      });
      for (let p = 0; p < capture.length; p += CHUNK) toLines.push(capture.subarray(p, p + CHUNK));
      toLines.finish();
      endHour();
      const jsonBytes = texts.reduce((n, t) => n + t.length, 0); // ASCII: one byte per character
      let jsonLines = 0;
      const parseOnce = (): number => {
        let n = 0;
        const t0 = performance.now();
        for (const text of texts) {
          let p = 0;
          for (;;) {
            const nl = text.indexOf('\n', p);
            if (nl < 0) break;
            const o = JSON.parse(text.slice(p, nl)) as { t_ms: number };
            sink += o.t_ms;
            n++;
            p = nl + 1;
          }
        }
        jsonLines = n;
        return (performance.now() - t0) / 1000;
      };
      const tJsonBuilt = performance.now();

      // Interleaved: each round decodes the whole capture, then parses the sampled JSON hours, so
      // both sides see the same machine load; the ratio is the median of the per-round ratios.
      const binTimes: number[] = [];
      const jsonTimes: number[] = [];
      const ratios: number[] = [];
      let scale = NaN;
      for (let r = 0; r < reps; r++) {
        const b = decodeOnce(true);
        const j = parseOnce();
        // scale the sampled hours to the whole capture (every hour carries the same messages)
        scale = frames / jsonLines;
        binTimes.push(b);
        jsonTimes.push(j);
        ratios.push((j * scale) / b);
      }
      const jsRatios: number[] = [];
      const jsBinTimes: number[] = [];
      for (let r = 0; r < jsReps; r++) {
        const b = decodeOnce(true, 'js');
        const j = parseOnce();
        jsBinTimes.push(b);
        jsRatios.push((j * scale) / b);
      }
      const freshTimes: number[] = [];
      for (let r = 0; r < freshReps; r++) freshTimes.push(decodeOnce(false));
      const tEnd = performance.now();
      if (sink === -1) console.log(sink);
      const binS = median(binTimes);
      const jsonS = median(jsonTimes);
      const binFreshS = median(freshTimes);
      const jsonAllS = jsonS * scale;

      const mbPerS = capture.length / 1e6 / binS;
      const jsonMbPerS = jsonBytes / 1e6 / jsonS;
      return {
        mb_per_s: round(mbPerS),
        frames_per_s: Math.round(frames / binS),
        json_lines_mb_per_s: round(jsonMbPerS),
        ratio_vs_json: round(median(ratios)),
        json_lines_per_s: Math.round(jsonLines / jsonS),
        mb_ratio_vs_json: round(mbPerS / jsonMbPerS),
        js_mb_per_s: round(capture.length / 1e6 / median(jsBinTimes)),
        js_ratio_vs_json: round(median(jsRatios)),
        fresh_mb_per_s: round(capture.length / 1e6 / binFreshS),
        fresh_ratio_vs_json: round(jsonAllS / binFreshS),
        capture_mb: round(capture.length / 1e6),
        json_mb: round((jsonBytes * scale) / 1e6),
        frames,
        hours,
        json_hours_measured: sampled.size,
        reps,
        fresh_reps: freshReps,
        js_reps: jsReps,
        wall_s_build_json_measure: `${round((tBuilt - tStart) / 1000)}/${round((tJsonBuilt - tBuilt) / 1000)}/${round((tEnd - tJsonBuilt) / 1000)}`,
      };
    },
  },
];

export function envInt(name: string, dflt: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return dflt;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 1) throw new TypeError(`"${name}" must be a positive integer: ${raw}`);
  return v;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
