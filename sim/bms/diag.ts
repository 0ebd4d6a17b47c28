/**
 * Diagnosis (style.md habit 7): one row per (check, tier) with its threshold, debounce count,
 * clear count and reaction delay. `soa` reports OK / NOT_OK per tier every time a check runs;
 * diag debounces, raises and clears, records every fault, and decides: a raised MSL that has
 * outlived its reaction delay makes `fatalDue`, which sends the state machine to ERROR. A
 * raised MSL is held until its delay has passed (so it is due at least once) (the delay lets the host ramp the
 * current down; it is not a second chance for the fault), so a fault that disappears when the
 * current is cut cannot make the BMS oscillate.
 * Only diag writes the diag block.
 */
import type { TierLimits } from '../../protocol/messages.ts';
import type { BmsConfig } from './config.ts';
import { DiagBlock, type Database } from './database.ts';
import { CHECKS, CHECK_IDS, type CheckId, FAULT_CODE_NAMES, FAULT_TIER_NAMES, PACK_CURRENT_PER_CELL, TIERS, TIER_OF } from './types.ts';

/** Which current limit an RSL of the check derates: 1 charge, 2 discharge, 3 both. */
export const DERATES: Readonly<Record<CheckId, number>> = {
  cell_overvoltage: 1,
  cell_undervoltage: 2,
  deep_discharge: 2,
  overcurrent_charge: 1,
  overcurrent_discharge: 2,
  cell_overcurrent_charge: 1,
  cell_overcurrent_discharge: 2,
  overtemperature_charge: 1,
  overtemperature_discharge: 2,
  undertemperature_charge: 1,
  undertemperature_discharge: 2,
  cell_voltage_spread: 3,
  temperature_spread: 3,
  open_sense_wire: 3,
  ntc_open: 3,
  ntc_short: 3,
  current_plausibility: 3,
  contactor_feedback: 3,
  precharge_failure: 3,
  host_comm_loss: 3,
  cell_voltage_plausibility: 3,
};

export const NC = CHECK_IDS.length;
export const CHECK_INDEX: Readonly<Record<CheckId, number>> = Object.fromEntries(CHECK_IDS.map((id, i) => [id, i])) as Record<CheckId, number>;

/**
 * The limits of one tier (0 MOL, 1 RSL, 2 MSL) as INFO states them (PROTOCOL.md §9.1), from the
 * diagnosis thresholds (Diag.thresholds, or buildThresholds): what the emulated device reports
 * and what the analyser assumes for a trace of the same pack.
 */
export function tierLimitsOf(thresholds: ArrayLike<number>, tier: number): TierLimits {
  const at = (id: CheckId): number => thresholds[CHECK_INDEX[id] * 3 + tier] ?? NaN;
  return {
    cellVoltageMax_V: at('cell_overvoltage'),
    cellVoltageMin_V: at('cell_undervoltage'),
    chargeCurrentMax_A: at('overcurrent_charge'),
    dischargeCurrentMax_A: at('overcurrent_discharge'),
    chargeTemperatureMin_C: at('undertemperature_charge'),
    chargeTemperatureMax_C: at('overtemperature_charge'),
    dischargeTemperatureMin_C: at('undertemperature_discharge'),
    dischargeTemperatureMax_C: at('overtemperature_discharge'),
  };
}

/** Thresholds per (check, tier) at index c*3+t, NaN where the tier is not used; pack currents scaled by np. */
export function buildThresholds(cfg: BmsConfig, np: number): Float64Array {
  const out = new Float64Array(NC * 3).fill(NaN);
  CHECK_IDS.forEach((id, c) => {
    const k = PACK_CURRENT_PER_CELL.has(id) ? np : 1;
    TIERS.forEach((t, j) => {
      const v = cfg.checks[id][t];
      if (v !== null) out[c * 3 + j] = v * k;
    });
  });
  return out;
}

export interface FaultRecord {
  code: string;
  tier: string;
  value: number;
  threshold: number;
  raised_s: number;
  cleared_s: number | null;
  /** The series group (cell checks) or temperature sensor (temperature checks) that tripped; null for pack-level checks. */
  index: number | null;
}

/** Most fault records kept (a flapping fault cannot grow the report without bound). */
export const MAX_RECORDS = 10_000;

/**
 * A tier of a check raised or cleared, as it happens (Diag.onEvent): unlike the records, these
 * never stop coming. `value`, `threshold` and `index` are those of the raise, for the clear too.
 */
export interface DiagEvent {
  /** Fault code name (FAULT_CODE_NAMES) and tier name (FAULT_TIER_NAMES), as in FaultRecord. */
  code: string;
  tier: string;
  raised: boolean;
  value: number;
  threshold: number;
  index: number | null;
}

export class Diag {
  readonly thresholds: Float64Array;
  readonly records: FaultRecord[] = [];
  /** Records not kept because MAX_RECORDS was reached. */
  droppedRecords = 0;
  /** Called when a tier is raised (t in s), e.g. to time an injection's reaction. */
  onRaise: ((check: CheckId, tier: number, t_s: number) => void) | null = null;
  /** Called at every raise and clear (the emulated device's EVENT queue reads these). */
  onEvent: ((e: DiagEvent) => void) | null = null;
  private readonly maxRecords: number;
  /** The raise of each row, for its clear's event. */
  private readonly raisedEvent: (DiagEvent | null)[];
  private readonly notOk: Int32Array;
  private readonly ok: Int32Array;
  private readonly raised: Uint8Array;
  private readonly raisedAt_ms: Float64Array;
  private readonly record: Int32Array;
  private readonly debounce: Int32Array;
  private readonly clear: Int32Array;
  private readonly delay_ms: Float64Array;
  private readonly block: DiagBlock;
  private now_ms = 0;

  constructor(cfg: BmsConfig, thresholds: Float64Array, maxRecords = MAX_RECORDS) {
    this.thresholds = thresholds;
    this.maxRecords = maxRecords;
    this.raisedEvent = new Array<DiagEvent | null>(NC * 3).fill(null);
    this.notOk = new Int32Array(NC * 3);
    this.ok = new Int32Array(NC * 3);
    this.raised = new Uint8Array(NC * 3);
    this.raisedAt_ms = new Float64Array(NC * 3);
    this.record = new Int32Array(NC * 3).fill(-1);
    this.debounce = Int32Array.from(CHECK_IDS.map((id) => cfg.checks[id].debounce_ticks));
    this.clear = Int32Array.from(CHECK_IDS.map((id) => cfg.checks[id].clear_ticks));
    this.delay_ms = Float64Array.from(CHECK_IDS.map((id) => cfg.checks[id].delay_ms));
    this.block = new DiagBlock(NC);
  }

  /** Start of a tick. */
  begin(now_ms: number): void {
    this.now_ms = now_ms;
  }

  /**
   * Result of one evaluation of check c: bit t of `notOkMask` set = tier t NOT_OK. `value` is
   * what was measured; `threshold` overrides the configured one in the record (NaN: keep);
   * `index` is the series group or sensor the value belongs to (-1: the pack).
   */
  report(c: number, notOkMask: number, value: number, threshold = NaN, index = -1): void {
    for (let t = 0; t < 3; t++) {
      const k = c * 3 + t;
      if (Number.isNaN(this.thresholds[k]!)) continue;
      if (notOkMask & (1 << t)) {
        this.ok[k] = 0;
        if (!this.raised[k] && ++this.notOk[k]! >= this.debounce[c]!) this.raise(c, t, k, value, threshold, index);
      } else {
        this.notOk[k] = 0;
        // a raised MSL commits the BMS to its reaction: it is held until its delay has passed
        if (t === 2 && this.raised[k] && this.now_ms - this.raisedAt_ms[k]! <= this.delay_ms[c]!) continue;
        if (this.raised[k] && ++this.ok[k]! >= this.clear[c]!) this.clearRow(k);
      }
    }
  }

  private raise(c: number, t: number, k: number, value: number, threshold: number, index: number): void {
    this.raised[k] = 1;
    this.ok[k] = 0;
    this.raisedAt_ms[k] = this.now_ms;
    const id = CHECK_IDS[c]!;
    const e: DiagEvent = {
      code: FAULT_CODE_NAMES[CHECKS[id].code]!,
      tier: FAULT_TIER_NAMES[TIER_OF[TIERS[t]!]]!,
      raised: true,
      value,
      threshold: Number.isNaN(threshold) ? this.thresholds[k]! : threshold,
      index: index >= 0 ? index : null,
    };
    this.raisedEvent[k] = e;
    if (this.records.length < this.maxRecords) {
      this.record[k] = this.records.length;
      this.records.push({
        code: e.code,
        tier: e.tier,
        value,
        threshold: e.threshold,
        raised_s: this.now_ms / 1000,
        cleared_s: null,
        index: e.index,
      });
    } else {
      this.record[k] = -1;
      this.droppedRecords++;
    }
    this.onEvent?.(e);
    this.onRaise?.(id, t, this.now_ms / 1000);
  }

  private clearRow(k: number): void {
    this.raised[k] = 0;
    this.notOk[k] = 0;
    const r = this.record[k]!;
    if (r >= 0) this.records[r]!.cleared_s = this.now_ms / 1000;
    this.record[k] = -1;
    const e = this.raisedEvent[k] ?? null;
    this.raisedEvent[k] = null;
    if (e !== null) this.onEvent?.({ ...e, raised: false });
  }

  /** Clear every row of check c now (an event-type check whose cause is gone). */
  reset(c: number): void {
    for (let t = 0; t < 3; t++) if (this.raised[c * 3 + t]) this.clearRow(c * 3 + t);
  }

  isRaised(c: number, t: number): boolean {
    return this.raised[c * 3 + t] === 1;
  }

  /** End of the tick's checks: summarise and write the diag block. */
  commit(db: Database): void {
    const b = this.block;
    let warnings = 0;
    let fatals = 0;
    let due = 0;
    let dirs = 0;
    for (let c = 0; c < NC; c++) {
      const k = c * 3;
      b.raised[c] = this.raised[k]! | (this.raised[k + 1]! << 1) | (this.raised[k + 2]! << 2);
      if (this.raised[k + 1]) {
        warnings++;
        dirs |= DERATES[CHECK_IDS[c]!];
      }
      if (this.raised[k + 2]) {
        fatals++;
        if (this.now_ms - this.raisedAt_ms[k + 2]! >= this.delay_ms[c]!) due = 1;
      }
    }
    b.warningCount = warnings;
    b.fatalCount = fatals;
    b.fatalDue = due;
    b.warningDirections = dirs;
    db.write(b, 'diag');
  }
}
