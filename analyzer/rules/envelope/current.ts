/**
 * envelope.current — the pack current (PACK_STATUS, positive when charging) against the device's
 * tiered current limits: chargeCurrentMax_A while charging (I > 0), dischargeCurrentMax_A
 * (a magnitude) while discharging (I < 0), each at MOL, RSL and MSL.
 *
 * Why: over-current heats the cells and the connections and, when charging, plates sodium; the
 * limits are the device's own (INFO).
 *
 * How: one pass over the current column; episodes per direction as in envelope.cell_voltage
 * (merge_s, min_duration_s). Severity: MOL info, RSL warning, MSL error. Metrics: time beyond
 * each tier per direction and its share of the time with PACK_STATUS.
 *
 * Thresholds: limits from INFO ("device INFO <TIER>"); profile keys (profiles/defaults/envelope.json):
 * min_duration_s (0.5 s: the emulator's debounce, 5 fast-task ticks of 100 ms in the library
 * scenarios), merge_s, max_gap_s, max_findings.
 *
 * Not evaluable: no INFO, or no PACK_STATUS.
 */
import type { Rule, RuleContext, RuleOutcome } from '../rule.ts';
import { notEvaluable } from '../rule.ts';
import { episodeFinding, scanMetrics, type Wording } from './internal/report.ts';
import { capFindings } from '../cap.ts';
import { currentScan } from './internal/scans.ts';

const ID = 'envelope.current';

export const current: Rule = {
  id: ID,
  group: 'envelope',
  title: 'Pack current within the device limits (charge and discharge)',
  evaluate(ctx: RuleContext): RuleOutcome {
    const scan = currentScan(ctx);
    if (typeof scan === 'string') return notEvaluable(scan);
    const w: Wording = {
      unit: 'A',
      digits: 2,
      subject: () => 'pack',
      limitName: (dir, tier) => (dir === 'over' ? `charge current above the ${tier} charge limit` : `discharge current above the ${tier} discharge limit`),
      shown: (v) => Math.abs(v),
      sign: (dir) => (dir === 'under' ? -1 : 1),
    };
    const findings = scan.episodes.map((ep) => {
      const f = episodeFinding(ctx, ID, scan, ep, w);
      f.evidence.direction = ep.dir === 'over' ? 'charge' : 'discharge';
      return f;
    });
    return {
      evaluable: true,
      findings: capFindings(ID, findings, ctx.profile.num(`${ID}.max_findings`)),
      metrics: scanMetrics(scan, ctx.tl.length, { over: 'charge_above', under: 'discharge_above' }),
    };
  },
};
