/**
 * Names shared by the firmware modules: states, substates, checks (diagnosis ids) and their
 * fault codes. Fault codes, tiers and BMS states are the protocol's own enums
 * (protocol/messages.ts), so the wire and the firmware agree.
 */
import { BmsState, FaultCode, FaultTier, BMS_STATE_NAMES, FAULT_CODE_NAMES, FAULT_TIER_NAMES } from '../../protocol/messages.ts';

export { BmsState, FaultCode, FaultTier, BMS_STATE_NAMES, FAULT_CODE_NAMES, FAULT_TIER_NAMES };

/** State machine states (style.md habit 6: the union begins with `hasNeverRun`). */
export type StateName = 'hasNeverRun' | 'INIT' | 'STANDBY' | 'PRECHARGE' | 'NORMAL' | 'CHARGE' | 'ERROR';

/** Substates (begin with `entry`). */
export type SubstateName =
  | 'entry'
  | 'waitMeasurements'
  | 'idle'
  | 'closing'
  | 'waitBus'
  | 'closePlus'
  | 'openPrecharge'
  | 'retryWait'
  | 'running'
  | 'waitBreakCurrent'
  | 'opening'
  | 'latched';

/** Numeric protocol state of a firmware state (hasNeverRun reports INIT). */
export function protocolState(s: StateName): BmsState {
  return s === 'hasNeverRun' ? BmsState.INIT : BmsState[s];
}

export function assertNever(x: never): never {
  throw new Error(`unexpected value ${String(x)}`);
}

/** Tiers in order: MOL (info), RSL (warning), MSL (fatal). */
export const TIERS = ['mol', 'rsl', 'msl'] as const;
export type TierKey = (typeof TIERS)[number];
export const TIER_OF: Record<TierKey, FaultTier> = { mol: FaultTier.INFO, rsl: FaultTier.WARNING, msl: FaultTier.FATAL };

/** Task a check runs in. */
export type TaskName = 'fast' | 'mid' | 'slow';

/**
 * Diagnosis ids: one per checked quantity (each has up to three tiers). Several ids may
 * share a fault code (charge/discharge variants).
 */
export const CHECKS = {
  cell_overvoltage: { code: FaultCode.CELL_OVERVOLTAGE, unit: 'V', over: true, task: 'mid' },
  cell_undervoltage: { code: FaultCode.CELL_UNDERVOLTAGE, unit: 'V', over: false, task: 'mid' },
  deep_discharge: { code: FaultCode.DEEP_DISCHARGE, unit: 'V', over: false, task: 'mid' },
  overcurrent_charge: { code: FaultCode.OVERCURRENT_CHARGE, unit: 'A', over: true, task: 'fast' },
  overcurrent_discharge: { code: FaultCode.OVERCURRENT_DISCHARGE, unit: 'A', over: true, task: 'fast' },
  cell_overcurrent_charge: { code: FaultCode.CELL_OVERCURRENT, unit: 'A', over: true, task: 'fast' },
  cell_overcurrent_discharge: { code: FaultCode.CELL_OVERCURRENT, unit: 'A', over: true, task: 'fast' },
  overtemperature_charge: { code: FaultCode.OVERTEMPERATURE_CHARGE, unit: 'C', over: true, task: 'slow' },
  overtemperature_discharge: { code: FaultCode.OVERTEMPERATURE_DISCHARGE, unit: 'C', over: true, task: 'slow' },
  undertemperature_charge: { code: FaultCode.UNDERTEMPERATURE_CHARGE, unit: 'C', over: false, task: 'slow' },
  undertemperature_discharge: { code: FaultCode.UNDERTEMPERATURE_DISCHARGE, unit: 'C', over: false, task: 'slow' },
  cell_voltage_spread: { code: FaultCode.CELL_VOLTAGE_SPREAD, unit: 'V', over: true, task: 'mid' },
  temperature_spread: { code: FaultCode.TEMPERATURE_SPREAD, unit: 'C', over: true, task: 'slow' },
  open_sense_wire: { code: FaultCode.OPEN_SENSE_WIRE, unit: 'V', over: true, task: 'mid' },
  ntc_open: { code: FaultCode.NTC_OPEN, unit: 'C', over: false, task: 'slow' },
  ntc_short: { code: FaultCode.NTC_SHORT, unit: 'C', over: true, task: 'slow' },
  current_plausibility: { code: FaultCode.CURRENT_PLAUSIBILITY, unit: 'A', over: true, task: 'fast' },
  contactor_feedback: { code: FaultCode.CONTACTOR_FEEDBACK, unit: 'count', over: true, task: 'fast' },
  precharge_failure: { code: FaultCode.PRECHARGE_FAILURE, unit: 'V', over: true, task: 'fast' },
  host_comm_loss: { code: FaultCode.HOST_COMM_LOSS, unit: 's', over: true, task: 'fast' },
  cell_voltage_plausibility: { code: FaultCode.CELL_VOLTAGE_PLAUSIBILITY, unit: 'V', over: true, task: 'mid' },
} as const satisfies Record<string, { code: FaultCode; unit: 'V' | 'A' | 'C' | 's' | 'count'; over: boolean; task: TaskName }>;

export type CheckId = keyof typeof CHECKS;
export const CHECK_IDS = Object.keys(CHECKS) as CheckId[];

/**
 * Checks of a pack-level current whose thresholds the config gives per cell of a parallel
 * group: the engine multiplies them by np. (The cell over-current checks compare the
 * estimated cell current with per-cell thresholds as they are.)
 */
export const PACK_CURRENT_PER_CELL: ReadonlySet<CheckId> = new Set(['overcurrent_charge', 'overcurrent_discharge', 'current_plausibility']);

/** Host requests (interface.ts). */
export type { HostRequest } from './interface.ts';
