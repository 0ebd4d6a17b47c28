/** INFO: who the device is and what pack it manages (sent periodically and on request). */
import { CHEMISTRY_NAME_SIZE, MAX_CELLS, MAX_TEMPERATURE_SENSORS, MessageType, type Info, type TierLimits } from '../messages.ts';
import type { Codec } from './codec.ts';
import { BAD_VALUE, TRUNCATED, checkUint, getQI16, getQU16, getQU32, setQI16, setQU16, setQU32 } from '../internal/wire.ts';

export const TIER_LIMITS_SIZE = 20;
const LIMITS_OFFSET = 24 + CHEMISTRY_NAME_SIZE; // 56
export const INFO_SIZE = LIMITS_OFFSET + 3 * TIER_LIMITS_SIZE; // 116

function writeLimits(v: DataView, o: number, l: TierLimits): void {
  setQU16(v, o, l.cellVoltageMax_V, 10000);
  setQU16(v, o + 2, l.cellVoltageMin_V, 10000);
  setQU32(v, o + 4, l.chargeCurrentMax_A, 1000);
  setQU32(v, o + 8, l.dischargeCurrentMax_A, 1000);
  setQI16(v, o + 12, l.chargeTemperatureMin_C, 100);
  setQI16(v, o + 14, l.chargeTemperatureMax_C, 100);
  setQI16(v, o + 16, l.dischargeTemperatureMin_C, 100);
  setQI16(v, o + 18, l.dischargeTemperatureMax_C, 100);
}

function readLimits(v: DataView, o: number): TierLimits {
  return {
    cellVoltageMax_V: getQU16(v, o, 10000),
    cellVoltageMin_V: getQU16(v, o + 2, 10000),
    chargeCurrentMax_A: getQU32(v, o + 4, 1000),
    dischargeCurrentMax_A: getQU32(v, o + 8, 1000),
    chargeTemperatureMin_C: getQI16(v, o + 12, 100),
    chargeTemperatureMax_C: getQI16(v, o + 14, 100),
    dischargeTemperatureMin_C: getQI16(v, o + 16, 100),
    dischargeTemperatureMax_C: getQI16(v, o + 18, 100),
  };
}

export const infoCodec: Codec<Info> = {
  type: MessageType.INFO,
  size: () => INFO_SIZE,
  write(b, v, o, m) {
    b[o] = checkUint('firmwareMajor', m.firmwareMajor, 0xff);
    b[o + 1] = checkUint('firmwareMinor', m.firmwareMinor, 0xff);
    v.setUint16(o + 2, checkUint('firmwarePatch', m.firmwarePatch, 0xffff), true);
    v.setUint32(o + 4, checkUint('deviceId', m.deviceId, 0xffffffff), true);
    v.setUint16(o + 8, checkUint('flags', m.flags, 0xffff), true);
    v.setUint16(o + 10, checkUint('ns', m.ns, MAX_CELLS), true);
    v.setUint16(o + 12, checkUint('np', m.np, 0xffff), true);
    v.setUint16(o + 14, checkUint('cellVoltageSensors', m.cellVoltageSensors, MAX_CELLS), true);
    v.setUint16(o + 16, checkUint('temperatureSensors', m.temperatureSensors, MAX_TEMPERATURE_SENSORS), true);
    b[o + 18] = checkUint('currentSensors', m.currentSensors, 0xff);
    b[o + 19] = 0;
    setQU32(v, o + 20, m.cellCapacity_Ah, 1000);
    const name = m.chemistry;
    if (typeof name !== 'string' || name.length >= CHEMISTRY_NAME_SIZE || !/^[\x20-\x7e]*$/.test(name)) {
      throw new RangeError(`invalid chemistry: ${JSON.stringify(name)} (printable ASCII, at most ${CHEMISTRY_NAME_SIZE - 1} characters)`);
    }
    for (let i = 0; i < CHEMISTRY_NAME_SIZE; i++) b[o + 24 + i] = i < name.length ? name.charCodeAt(i) : 0;
    writeLimits(v, o + LIMITS_OFFSET, m.limits.mol);
    writeLimits(v, o + LIMITS_OFFSET + TIER_LIMITS_SIZE, m.limits.rsl);
    writeLimits(v, o + LIMITS_OFFSET + 2 * TIER_LIMITS_SIZE, m.limits.msl);
  },
  read(b, v, o, len, seq, t_ms) {
    if (len < INFO_SIZE) return TRUNCATED;
    const ns = v.getUint16(o + 10, true);
    const cellVoltageSensors = v.getUint16(o + 14, true);
    const temperatureSensors = v.getUint16(o + 16, true);
    if (ns > MAX_CELLS || cellVoltageSensors > MAX_CELLS || temperatureSensors > MAX_TEMPERATURE_SENSORS) return BAD_VALUE;
    // Printable ASCII, NUL-terminated within the field, NUL-padded after the terminator.
    let n = 0;
    while (n < CHEMISTRY_NAME_SIZE && b[o + 24 + n] !== 0) {
      const c = b[o + 24 + n]!;
      if (c < 0x20 || c > 0x7e) return BAD_VALUE;
      n++;
    }
    if (n === CHEMISTRY_NAME_SIZE) return BAD_VALUE;
    for (let i = n; i < CHEMISTRY_NAME_SIZE; i++) if (b[o + 24 + i] !== 0) return BAD_VALUE;
    let chemistry = '';
    for (let i = 0; i < n; i++) chemistry += String.fromCharCode(b[o + 24 + i]!);
    return {
      type: MessageType.INFO,
      seq,
      t_ms,
      firmwareMajor: b[o]!,
      firmwareMinor: b[o + 1]!,
      firmwarePatch: v.getUint16(o + 2, true),
      deviceId: v.getUint32(o + 4, true),
      flags: v.getUint16(o + 8, true),
      ns,
      np: v.getUint16(o + 12, true),
      cellVoltageSensors,
      temperatureSensors,
      currentSensors: b[o + 18]!,
      cellCapacity_Ah: getQU32(v, o + 20, 1000),
      chemistry,
      limits: {
        mol: readLimits(v, o + LIMITS_OFFSET),
        rsl: readLimits(v, o + LIMITS_OFFSET + TIER_LIMITS_SIZE),
        msl: readLimits(v, o + LIMITS_OFFSET + 2 * TIER_LIMITS_SIZE),
      },
    };
  },
};
