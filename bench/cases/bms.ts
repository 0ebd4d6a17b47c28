/**
 * BMS benchmark (issue 3 §5): the default scenario (100s2p of 150 Ah prismatic cells, the BMS
 * emulator at a 100 ms fast task) for 24 h of simulated time — WLTC down to 20 % SOC, CC-CV
 * charge, looped — with the BMS running every fast/mid/slow task. Median of 3 runs.
 *
 * `day-24h-bms` uses the scenario's own pack step (dt_s 1 s, a whole multiple of the fast
 * task): the firmware still runs all 864 000 of its 100 ms ticks, but the pack model, the load
 * and the runner advance once per second (the BMS sees each step's current and voltages at
 * every tick within it). `day-24h-bms-dt0.1` steps the pack at the fast task period (0.1 s),
 * one pack step per BMS tick, for comparison. `dt_s`, `fast_task_ms` and `bms_ticks` are in
 * the JSON line so each figure is read with its step; the target is < 10 s wall on one core.
 */
import { attachBms } from '../../cli/bms.ts';
import { runScenario, type RunResult } from '../../sim/run.ts';
import { type BenchCase, median } from '../case.ts';
import { loadScenario } from '../../sim/node/load.ts';

const DAY_s = 86400;

/** dt_s null: the scenario's own pack step. */
const dayCase = (name: string, dt_s: number | null): BenchCase => ({
  name,
  run() {
    const sc = loadScenario('default');
    if (dt_s !== null) sc.dt_s = dt_s;
    sc.duration_s = DAY_s;
    sc.repeat_steps = true;
    const fastMs = sc.bms?.scheduler.fast_period_ms ?? NaN;
    const walls: number[] = [];
    let result: RunResult | null = null;
    for (let rep = 0; rep < 3; rep++) {
      const t0 = performance.now();
      result = runScenario(sc, { bms: attachBms(sc) });
      walls.push((performance.now() - t0) / 1000);
    }
    const wall = median(walls);
    const res = result!;
    const report = res.bms!.report() as { faults: { tier: string }[]; transitions: { to: string }[] };
    const cells = res.pack.n;
    return {
      wall_s: Number(wall.toFixed(3)),
      peak_rss_mb: Number((process.resourceUsage().maxRSS / 1024).toFixed(1)),
      realtime_factor: Math.round(DAY_s / wall),
      simulated_s: res.summary.duration_s,
      dt_s: sc.dt_s,
      fast_task_ms: fastMs,
      bms_ticks: Math.round((res.summary.duration_s * 1000) / fastMs),
      pack: res.summary.pack,
      steps: res.summary.steps_simulated,
      ns_per_cell_step: Number(((wall * 1e9) / (res.summary.steps_simulated * cells)).toFixed(2)),
      kernel: (res.pack as { kernel?: string }).kernel ?? 'js',
      // a run that tripped would measure an idle pack: say so in the line
      fatal_faults: report.faults.filter((f) => f.tier === 'FATAL').length,
      final_state: res.bms!.traceRow().state,
      runs: walls.length,
    };
  },
});

export const cases: BenchCase[] = [dayCase('day-24h-bms', null), dayCase('day-24h-bms-dt0.1', 0.1)];
