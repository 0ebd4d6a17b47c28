/** The runner's public types (sim/run.ts re-exports them). */
import type { BmsHooks, BmsTraceRow } from '../bms/interface.ts';
import type { EnvelopeWatch } from '../envelope.ts';
import type { Pack, SplitMethod } from '../pack.ts';
import type { Scenario } from '../scenario.ts';

export type EndReason =
  | 'bms_error'
  | 'bms_open'
  | 'duration'
  | 'voltage'
  | 'current'
  | 'soc'
  | 'repeat'
  | 'profile_end'
  | 'cutoff_low'
  | 'cutoff_high'
  | 'power_unattainable'
  | 'open_circuit'
  | 'scenario_duration';

export interface StepLog {
  text: string;
  start_s: number;
  end_s: number;
  end_reason: EndReason;
}

export interface Summary {
  scenario: string;
  chemistry: string;
  pack: string;
  dt_s: number;
  duration_s: number;
  steps_simulated: number;
  energy: { discharged_Wh: number; charged_Wh: number; net_Wh: number; heat_Wh: number };
  charge: { discharged_Ah: number; charged_Ah: number };
  cell_voltage: { min_V: number; max_V: number };
  temperature: { min_C: number; max_C: number; final_max_C: number };
  /** The pack's true SOC (charge-weighted mean of the cells), and the extremes over cells. */
  pack_soc: { initial_pct: number; final_pct: number; final_min_pct: number; final_max_pct: number };
  distance_km: number;
  Wh_per_km: number | null;
  steps: StepLog[];
  /** Present when a cell left the validity envelope (only with allowAbuse: otherwise the run stops). */
  envelope?: NonNullable<ReturnType<EnvelopeWatch['summary']>>;
}

/** What a recorder sees each recorded step (read the pack's arrays; copy what you keep). */
export interface StepView {
  /** Time t_k at the start of the step. */
  t_s: number;
  /** The pack after the step: voltage/current/heat are V_k, I_k, q_k (its z and T are already k+1). */
  pack: Pack;
  /** Cell SOC z_k and temperature T_k at the start of the step. */
  z: Float64Array;
  T_C: Float64Array;
  ambient_C: number;
  /** Pack SOC, charge-weighted mean of the cells' true SOC. */
  soc: number;
  bms: BmsTraceRow | null;
}

export interface RunOptions {
  /** Record every Nth step: steps 0, N, 2N, … (default 1). */
  every?: number;
  onRecord?: (view: StepView) => void;
  /** Called about every 1 % of progress with the simulated time reached. */
  onProgress?: (t_s: number) => void;
  /** Override the scenario's duration (s). */
  duration_s?: number;
  /** Attach a BMS (built from the scenario by sim/bms when it has a "bms" section). */
  bms?: (pack: Pack, scenario: Scenario) => BmsHooks;
  /**
   * After the last step, keep the pack at rest (and the BMS running) until the duration
   * ends, instead of stopping: a device that outlives its script (the serial emulator).
   */
  restAfterSteps?: boolean;
  /**
   * A cell leaving the chemistry's validity envelope (sim/envelope.ts) stops the run with an
   * AbuseError; with allowAbuse the run goes on and the summary lists the excursions.
   */
  allowAbuse?: boolean;
  /**
   * The caller runs the BMS's ticks (bms.afterStep) as its own clock advances, so that the BMS
   * acts on its 10 ms grid whatever the pack step (the serial emulator): the runner then runs
   * them only to catch up, before it looks at the BMS after a step, not at the end of each step.
   */
  bmsTicksByCaller?: boolean;
  /** Pack step implementation (PackConfig.kernel): 'auto' (default) or 'js'. */
  kernel?: 'auto' | 'js';
  /** Parallel current split (PackConfig.split): 'auto' (default: explicit where it is stable, else implicit), 'implicit' or 'explicit' (the reference). */
  split?: SplitMethod | 'auto';
}

export interface RunResult {
  summary: Summary;
  pack: Pack;
  bms: BmsHooks | null;
}
