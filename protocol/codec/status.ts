/** PACK_STATUS and EVENT. */
import { BmsState, FaultTier, MessageType, type FaultEvent, type PackStatus } from '../messages.ts';
import type { Codec } from './codec.ts';
import {
  BAD_VALUE,
  TRUNCATED,
  checkBool,
  checkMask,
  checkMember,
  checkUint,
  getIndex,
  getQI16,
  getQI32,
  getQU16,
  getQU32,
  setIndex,
  setQI16,
  setQI32,
  setQU16,
  setQU32,
} from '../internal/wire.ts';

export const PACK_STATUS_SIZE = 52;
const CONTACTOR_POS = 1;
const CONTACTOR_NEG = 2;
const CONTACTOR_PRE = 4;

export const packStatusCodec: Codec<PackStatus> = {
  type: MessageType.PACK_STATUS,
  size: () => PACK_STATUS_SIZE,
  write(b, v, o, m) {
    b[o] = checkMember('state', m.state, BmsState);
    b[o + 1] =
      (checkBool('mainPositiveClosed', m.mainPositiveClosed) ? CONTACTOR_POS : 0) |
      (checkBool('mainNegativeClosed', m.mainNegativeClosed) ? CONTACTOR_NEG : 0) |
      (checkBool('prechargeClosed', m.prechargeClosed) ? CONTACTOR_PRE : 0);
    v.setUint16(o + 2, checkUint('balancingCount', m.balancingCount, 0xffff), true);
    setQU32(v, o + 4, m.packVoltage_V, 1000);
    setQI32(v, o + 8, m.current_A, 1000);
    setQI16(v, o + 12, m.soc, 10000);
    setQU16(v, o + 14, m.soh, 10000);
    setQU16(v, o + 16, m.cellVoltageMin_V, 10000);
    setQU16(v, o + 18, m.cellVoltageMax_V, 10000);
    setIndex(v, o + 20, 'cellVoltageMinIndex', m.cellVoltageMinIndex);
    setIndex(v, o + 22, 'cellVoltageMaxIndex', m.cellVoltageMaxIndex);
    setQI16(v, o + 24, m.temperatureMin_C, 100);
    setQI16(v, o + 26, m.temperatureMax_C, 100);
    setIndex(v, o + 28, 'temperatureMinIndex', m.temperatureMinIndex);
    setIndex(v, o + 30, 'temperatureMaxIndex', m.temperatureMaxIndex);
    v.setUint32(o + 32, checkMask('faultMask', m.faultMask), true);
    v.setUint32(o + 36, checkMask('warningMask', m.warningMask), true);
    v.setUint32(o + 40, checkMask('infoMask', m.infoMask), true);
    setQU32(v, o + 44, m.chargeCurrentLimit_A, 1000);
    setQU32(v, o + 48, m.dischargeCurrentLimit_A, 1000);
  },
  read(b, v, o, len, seq, t_ms, into) {
    if (len < PACK_STATUS_SIZE) return TRUNCATED;
    const state = b[o]!;
    if (state > BmsState.ERROR) return BAD_VALUE;
    const c = b[o + 1]!;
    if (into === undefined) {
      return {
        type: MessageType.PACK_STATUS,
        seq,
        t_ms,
        state: state as BmsState,
        mainPositiveClosed: (c & CONTACTOR_POS) !== 0,
        mainNegativeClosed: (c & CONTACTOR_NEG) !== 0,
        prechargeClosed: (c & CONTACTOR_PRE) !== 0,
        balancingCount: v.getUint16(o + 2, true),
        packVoltage_V: getQU32(v, o + 4, 1000),
        current_A: getQI32(v, o + 8, 1000),
        soc: getQI16(v, o + 12, 10000),
        soh: getQU16(v, o + 14, 10000),
        cellVoltageMin_V: getQU16(v, o + 16, 10000),
        cellVoltageMax_V: getQU16(v, o + 18, 10000),
        cellVoltageMinIndex: getIndex(v, o + 20),
        cellVoltageMaxIndex: getIndex(v, o + 22),
        temperatureMin_C: getQI16(v, o + 24, 100),
        temperatureMax_C: getQI16(v, o + 26, 100),
        temperatureMinIndex: getIndex(v, o + 28),
        temperatureMaxIndex: getIndex(v, o + 30),
        faultMask: v.getUint32(o + 32, true),
        warningMask: v.getUint32(o + 36, true),
        infoMask: v.getUint32(o + 40, true),
        chargeCurrentLimit_A: getQU32(v, o + 44, 1000),
        dischargeCurrentLimit_A: getQU32(v, o + 48, 1000),
      };
    }
    into.seq = seq;
    into.t_ms = t_ms;
    into.state = state as BmsState;
    into.mainPositiveClosed = (c & CONTACTOR_POS) !== 0;
    into.mainNegativeClosed = (c & CONTACTOR_NEG) !== 0;
    into.prechargeClosed = (c & CONTACTOR_PRE) !== 0;
    into.balancingCount = v.getUint16(o + 2, true);
    into.packVoltage_V = getQU32(v, o + 4, 1000);
    into.current_A = getQI32(v, o + 8, 1000);
    into.soc = getQI16(v, o + 12, 10000);
    into.soh = getQU16(v, o + 14, 10000);
    into.cellVoltageMin_V = getQU16(v, o + 16, 10000);
    into.cellVoltageMax_V = getQU16(v, o + 18, 10000);
    into.cellVoltageMinIndex = getIndex(v, o + 20);
    into.cellVoltageMaxIndex = getIndex(v, o + 22);
    into.temperatureMin_C = getQI16(v, o + 24, 100);
    into.temperatureMax_C = getQI16(v, o + 26, 100);
    into.temperatureMinIndex = getIndex(v, o + 28);
    into.temperatureMaxIndex = getIndex(v, o + 30);
    into.faultMask = v.getUint32(o + 32, true);
    into.warningMask = v.getUint32(o + 36, true);
    into.infoMask = v.getUint32(o + 40, true);
    into.chargeCurrentLimit_A = getQU32(v, o + 44, 1000);
    into.dischargeCurrentLimit_A = getQU32(v, o + 48, 1000);
    return into;
  },
  reusable: true,
};

export const EVENT_SIZE = 16;

export const eventCodec: Codec<FaultEvent> = {
  type: MessageType.EVENT,
  size: () => EVENT_SIZE,
  write(b, v, o, m) {
    v.setUint16(o, checkUint('code', m.code, 0xffff), true);
    b[o + 2] = checkMember('tier', m.tier, FaultTier);
    b[o + 3] = checkBool('raised', m.raised) ? 1 : 0;
    setIndex(v, o + 4, 'index', m.index);
    v.setUint16(o + 6, 0, true);
    v.setFloat32(o + 8, m.value, true);
    v.setFloat32(o + 12, m.threshold, true);
  },
  read(b, v, o, len, seq, t_ms) {
    if (len < EVENT_SIZE) return TRUNCATED;
    const tier = b[o + 2]!;
    const action = b[o + 3]!;
    if (tier > FaultTier.FATAL || action > 1) return BAD_VALUE;
    return {
      type: MessageType.EVENT,
      seq,
      t_ms,
      code: v.getUint16(o, true),
      tier: tier as FaultTier,
      raised: action === 1,
      index: getIndex(v, o + 4),
      value: v.getFloat32(o + 8, true),
      threshold: v.getFloat32(o + 12, true),
    };
  },
};
