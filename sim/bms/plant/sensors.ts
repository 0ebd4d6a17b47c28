/**
 * PLANT, not firmware: the state of the sensor hardware that fault injection can break. The
 * measurement layer (afe.ts) reads it to turn the pack's true values into readings; the
 * injector writes it. Indices: voltage channels per series group, NTCs per sensor.
 */
export const NTC_OK = 0;
export const NTC_OPEN = 1;
export const NTC_SHORT = 2;

export class SensorFaults {
  /** 1 = the sense wire at the top of group g is open. */
  readonly openWire: Uint8Array;
  /** 1 = channel g repeats `stuckVoltage_V[g]` (NaN until the AFE latches the next reading). */
  readonly voltageStuck: Uint8Array;
  readonly stuckVoltage_V: Float64Array;
  /** NTC_OK / NTC_OPEN / NTC_SHORT per sensor. */
  readonly ntcMode: Uint8Array;
  readonly ntcStuck: Uint8Array;
  readonly stuckTemperature_C: Float64Array;
  /** Drift: offset_C + rate * (t - start), per sensor. */
  readonly ntcDriftOffset_C: Float64Array;
  readonly ntcDriftRate_C_per_s: Float64Array;
  readonly ntcDriftStart_s: Float64Array;
  /** Shunt faults (pack-level A). */
  currentOffset_A = 0;
  currentDriftRate_A_per_s = 0;
  currentDriftStart_s = 0;
  currentStuck = false;
  stuckCurrent_A = NaN;

  /** Faults present on some voltage channel / NTC (kept by the injector; the AFE takes a fast path without). */
  voltageFaults = 0;
  temperatureFaults = 0;

  anyVoltageFault(): boolean {
    return this.voltageFaults > 0;
  }

  anyTemperatureFault(): boolean {
    return this.temperatureFaults > 0;
  }

  constructor(ns: number, nSensors: number) {
    this.openWire = new Uint8Array(ns);
    this.voltageStuck = new Uint8Array(ns);
    this.stuckVoltage_V = new Float64Array(ns).fill(NaN);
    this.ntcMode = new Uint8Array(nSensors);
    this.ntcStuck = new Uint8Array(nSensors);
    this.stuckTemperature_C = new Float64Array(nSensors).fill(NaN);
    this.ntcDriftOffset_C = new Float64Array(nSensors);
    this.ntcDriftRate_C_per_s = new Float64Array(nSensors);
    this.ntcDriftStart_s = new Float64Array(nSensors);
  }
}
