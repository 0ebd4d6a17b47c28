/** Simulation-only ground truth: SIM_TRUTH (pack summary) and SIM_CELL_TRUTH (per cell, chunked). */
import { MAX_CELLS, MessageType, SIM_CELL_TRUTH_MAX_COUNT, type SimCellTruth, type SimTruth } from '../messages.ts';
import type { Codec } from './codec.ts';
import { BAD_VALUE, NA_I16, TRUNCATED, checkUint, getQI16, getQI32, setQI16, setQI32 } from '../internal/wire.ts';

export const SIM_TRUTH_SIZE = 16;

export const simTruthCodec: Codec<SimTruth> = {
  type: MessageType.SIM_TRUTH,
  size: () => SIM_TRUTH_SIZE,
  write(_b, v, o, m) {
    setQI16(v, o, m.socMin, 10000);
    setQI16(v, o + 2, m.socAvg, 10000);
    setQI16(v, o + 4, m.socMax, 10000);
    setQI16(v, o + 6, m.coreTemperatureMin_C, 100);
    setQI16(v, o + 8, m.coreTemperatureAvg_C, 100);
    setQI16(v, o + 10, m.coreTemperatureMax_C, 100);
    setQI32(v, o + 12, m.current_A, 1000);
  },
  read(_b, v, o, len, seq, t_ms) {
    if (len < SIM_TRUTH_SIZE) return TRUNCATED;
    return {
      type: MessageType.SIM_TRUTH,
      seq,
      t_ms,
      socMin: getQI16(v, o, 10000),
      socAvg: getQI16(v, o + 2, 10000),
      socMax: getQI16(v, o + 4, 10000),
      coreTemperatureMin_C: getQI16(v, o + 6, 100),
      coreTemperatureAvg_C: getQI16(v, o + 8, 100),
      coreTemperatureMax_C: getQI16(v, o + 10, 100),
      current_A: getQI32(v, o + 12, 1000),
    };
  },
};

const ENTRY = 4; // i16 soc, i16 core temperature

export const simCellTruthCodec: Codec<SimCellTruth> = {
  type: MessageType.SIM_CELL_TRUTH,
  chunked: true,
  size(m) {
    checkUint('offset', m.offset, MAX_CELLS);
    const n = checkUint('count', m.soc.length, SIM_CELL_TRUTH_MAX_COUNT);
    if (m.coreTemperatures_C.length !== n) {
      throw new RangeError(`invalid coreTemperatures_C: length ${m.coreTemperatures_C.length} !== soc length ${n}`);
    }
    if (m.offset + n > MAX_CELLS) throw new RangeError(`invalid offset + count: ${m.offset} + ${n} > ${MAX_CELLS}`);
    return 4 + ENTRY * n;
  },
  write(_b, v, o, m) {
    const n = m.soc.length;
    v.setUint16(o, m.offset, true);
    v.setUint16(o + 2, n, true);
    for (let i = 0, p = o + 4; i < n; i++, p += ENTRY) {
      setQI16(v, p, m.soc[i]!, 10000);
      setQI16(v, p + 2, m.coreTemperatures_C[i]!, 100);
    }
  },
  read(_b, v, o, len, seq, t_ms, into) {
    if (len < 4) return TRUNCATED;
    const offset = v.getUint16(o, true);
    const n = v.getUint16(o + 2, true);
    if (len < 4 + ENTRY * n) return TRUNCATED;
    if (offset + n > MAX_CELLS) return BAD_VALUE;
    const reuse = into !== undefined && into.soc.length === n && into.coreTemperatures_C.length === n ? into : undefined;
    const soc = reuse !== undefined ? reuse.soc : new Float64Array(n);
    const temp = reuse !== undefined ? reuse.coreTemperatures_C : new Float64Array(n);
    for (let i = 0, p = o + 4; i < n; i++, p += ENTRY) {
      const s = v.getInt16(p, true);
      const t = v.getInt16(p + 2, true);
      soc[i] = s / 10000;
      if (s === NA_I16) soc[i] = NaN;
      temp[i] = t / 100;
      if (t === NA_I16) temp[i] = NaN;
    }
    if (reuse !== undefined) {
      reuse.seq = seq;
      reuse.t_ms = t_ms;
      reuse.offset = offset;
      return reuse;
    }
    return { type: MessageType.SIM_CELL_TRUTH, seq, t_ms, offset, soc, coreTemperatures_C: temp };
  },
};
