/** Host → device commands, and the device's ACK / NACK answers. */
import {
  BmsState,
  MessageType,
  type Ack,
  type CmdInjectFault,
  type CmdRequestInfo,
  type CmdResetFaults,
  type CmdSetRate,
  type CmdSetState,
  type Nack,
} from '../messages.ts';
import type { Codec } from './codec.ts';
import { BAD_VALUE, TRUNCATED, checkBool, checkMember, checkUint, getIndex, setIndex } from '../internal/wire.ts';

export const ACK_SIZE = 4;

export const ackCodec: Codec<Ack> = {
  type: MessageType.ACK,
  size: () => ACK_SIZE,
  write(b, v, o, m) {
    v.setUint16(o, checkUint('commandSeq', m.commandSeq, 0xffff), true);
    b[o + 2] = checkUint('commandType', m.commandType, 0xff);
    b[o + 3] = 0;
  },
  read(b, v, o, len, seq, t_ms) {
    if (len < ACK_SIZE) return TRUNCATED;
    return { type: MessageType.ACK, seq, t_ms, commandSeq: v.getUint16(o, true), commandType: b[o + 2]! };
  },
};

export const nackCodec: Codec<Nack> = {
  type: MessageType.NACK,
  size: () => ACK_SIZE,
  write(b, v, o, m) {
    v.setUint16(o, checkUint('commandSeq', m.commandSeq, 0xffff), true);
    b[o + 2] = checkUint('commandType', m.commandType, 0xff);
    b[o + 3] = checkUint('reason', m.reason, 0xff);
  },
  read(b, v, o, len, seq, t_ms) {
    if (len < ACK_SIZE) return TRUNCATED;
    return {
      type: MessageType.NACK,
      seq,
      t_ms,
      commandSeq: v.getUint16(o, true),
      commandType: b[o + 2]!,
      reason: b[o + 3]!,
    };
  },
};

export const requestInfoCodec: Codec<CmdRequestInfo> = {
  type: MessageType.CMD_REQUEST_INFO,
  size: () => 0,
  write() {},
  read: (_b, _v, _o, _len, seq, t_ms) => ({ type: MessageType.CMD_REQUEST_INFO, seq, t_ms }),
};

export const resetFaultsCodec: Codec<CmdResetFaults> = {
  type: MessageType.CMD_RESET_FAULTS,
  size: () => 0,
  write() {},
  read: (_b, _v, _o, _len, seq, t_ms) => ({ type: MessageType.CMD_RESET_FAULTS, seq, t_ms }),
};

export const setStateCodec: Codec<CmdSetState> = {
  type: MessageType.CMD_SET_STATE,
  size: () => 1,
  write(b, _v, o, m) {
    b[o] = checkMember('state', m.state, BmsState);
  },
  read(b, _v, o, len, seq, t_ms) {
    if (len < 1) return TRUNCATED;
    const state = b[o]!;
    if (state > BmsState.ERROR) return BAD_VALUE;
    return { type: MessageType.CMD_SET_STATE, seq, t_ms, state: state as BmsState };
  },
};

export const setRateCodec: Codec<CmdSetRate> = {
  type: MessageType.CMD_SET_RATE,
  size: () => 2,
  write(b, _v, o, m) {
    b[o] = checkUint('messageType', m.messageType, 0xff);
    b[o + 1] = checkUint('rate_Hz', m.rate_Hz, 0xff);
  },
  read(b, _v, o, len, seq, t_ms) {
    if (len < 2) return TRUNCATED;
    return { type: MessageType.CMD_SET_RATE, seq, t_ms, messageType: b[o]!, rate_Hz: b[o + 1]! };
  },
};

export const INJECT_FAULT_SIZE = 12;

export const injectFaultCodec: Codec<CmdInjectFault> = {
  type: MessageType.CMD_INJECT_FAULT,
  size: () => INJECT_FAULT_SIZE,
  write(b, v, o, m) {
    v.setUint16(o, checkUint('code', m.code, 0xffff), true);
    setIndex(v, o + 2, 'index', m.index);
    b[o + 4] = checkBool('active', m.active) ? 1 : 0;
    b[o + 5] = 0;
    v.setUint16(o + 6, 0, true);
    v.setFloat32(o + 8, m.value, true);
  },
  read(b, v, o, len, seq, t_ms) {
    if (len < INJECT_FAULT_SIZE) return TRUNCATED;
    const active = b[o + 4]!;
    if (active > 1) return BAD_VALUE;
    return {
      type: MessageType.CMD_INJECT_FAULT,
      seq,
      t_ms,
      code: v.getUint16(o, true),
      index: getIndex(v, o + 2),
      active: active === 1,
      value: v.getFloat32(o + 8, true),
    };
  },
};
