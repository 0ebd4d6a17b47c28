/**
 * The scenario runner: owns simulated time, executes the steps (experiment steps, drive
 * cycles, current profiles) on the pack, and (when a BMS is attached) drives it through the
 * seam in sim/bms/interface.ts. Recording and progress are callbacks; the runner does no I/O.
 *
 * Its parts, at the seams the loop has: run/runner.ts the step loop, run/load.ts the load's
 * request (load control), run/terminations.ts how a step ends, run/ledger.ts the charge,
 * energy and extremes (the Summary), run/record.ts what a recorder (a trace) sees.
 */
import type { BmsHooks } from './bms/interface.ts';
import { InputError } from './errors.ts';
import { Pack } from './pack.ts';
import { Runner } from './run/runner.ts';
import type { RunOptions, RunResult } from './run/types.ts';
import type { Scenario } from './scenario.ts';
import { isStableStep, maxStableStep_s } from './stability.ts';

export type { EndReason, RunOptions, RunResult, StepLog, StepView, Summary } from './run/types.ts';

export function buildPack(sc: Scenario, opts: Pick<RunOptions, 'kernel' | 'split'> = {}): Pack {
  const T0 = sc.initial.temperature_C ?? sc.ambient.at(sc.start_time_h * 3600);
  const { np, spread } = sc.pack;
  if (opts.split === 'explicit' && !isStableStep(sc.chemistry, np, spread, sc.dt_s, 'explicit')) {
    const max = Math.floor(maxStableStep_s(sc.chemistry, np, spread, 'explicit') * 1000) / 1000;
    throw new InputError(
      sc.name,
      'dt_s',
      `${sc.dt_s} s is too long for the explicit split of ${np} cells of ${sc.chemistry.name} in parallel: it is stable up to ${max} s (sim/MODEL.md, "Step size")`,
    );
  }
  return new Pack({
    kernel: opts.kernel,
    split: opts.split,
    chemistry: sc.chemistry,
    ...sc.pack,
    dt_s: sc.dt_s,
    seed: sc.seed,
    low_temperature_capacity: sc.low_temperature_capacity,
    init: { soc: sc.initial.soc, T_C: T0, h: sc.initial.hysteresis },
  });
}

/** Run a scenario to its end. */
export function runScenario(sc: Scenario, opts: RunOptions = {}): RunResult {
  const run = startScenario(sc, opts);
  while (run.step()) {
    // each call advances one pack step
  }
  return run.result();
}

/**
 * A scenario run that advances one pack step per `step()` call, for callers that interleave
 * the simulation with I/O (the serial emulator). `step()` returns false once the run is over.
 */
export interface ScenarioRun {
  readonly pack: Pack;
  readonly bms: BmsHooks | null;
  readonly scenario: Scenario;
  /** Simulated time reached, s. */
  time_s(): number;
  /** Pack SOC (charge-weighted mean of the cells' true SOC). */
  soc(): number;
  /**
   * True once the scenario's steps are over (the rest after them, with `restAfterSteps`, may
   * still be running); false while a step runs and when the duration cut the steps short.
   */
  stepsOver(): boolean;
  step(): boolean;
  result(): RunResult;
}

export function startScenario(sc: Scenario, opts: RunOptions = {}): ScenarioRun {
  const pack = buildPack(sc, opts);
  const bms = opts.bms ? opts.bms(pack, sc) : null;
  const runner = new Runner(sc, pack, bms, opts);
  const it = runner.run();
  let done = false;
  return {
    pack,
    bms,
    scenario: sc,
    time_s: () => runner.time(),
    soc: () => runner.packSoc(),
    stepsOver: () => runner.stepsOver,
    step() {
      if (done) return false;
      done = it.next().done === true;
      return !done;
    },
    result: () => ({ summary: runner.summary(), pack, bms }),
  };
}
