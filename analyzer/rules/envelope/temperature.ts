/**
 * envelope.temperature — every temperature sensor against the device's tiered limits (INFO MOL,
 * RSL, MSL): the charge limits while the pack is charging (measured current above
 * `charging_current_C` × the pack capacity), the discharge limits otherwise, as the BMS itself
 * applies them (sim/bms/soa.ts). Above the maximum and below the minimum separately.
 *
 * Why: sodium-ion cells discharge well in the cold but plate sodium when charged cold, and age
 * and vent when hot; the charge window is narrower than the discharge window on both ends.
 *
 * How: one pass over each sensor column (TEMPERATURES; PACK_STATUS's min and max when there are
 * none, subject "pack"), in segments of constant charging state; a row without a current keeps
 * the state of the row before. Episodes per sensor and direction as in envelope.cell_voltage.
 * Severity: MOL info, RSL warning, MSL error. `group_count` sensors or more beyond the same tier
 * of the same limit at overlapping times are one finding, subject "sensors" (as the cells of
 * envelope.cell_voltage). Metrics: time beyond each tier (any sensor) and its share of the time
 * with data.
 *
 * Thresholds: limits from INFO ("device INFO <TIER>"); profile keys (profiles/defaults/envelope.json):
 * charging_current_C (0.01 C: the emulator's own "charging" criterion, soc.rest_current_A),
 * charging_current_A (when INFO has no capacity), min_duration_s (3 s: the emulator's debounce of
 * 3 slow-task ticks of 1 s), merge_s, max_gap_s, group_count, max_findings.
 *
 * Not evaluable: no INFO, or neither TEMPERATURES nor PACK_STATUS.
 */
import type { Rule, RuleContext, RuleOutcome } from '../rule.ts';
import { notEvaluable } from '../rule.ts';
import { round } from '../../findings.ts';
import { episodeFindings, scanMetrics, type Wording } from './internal/report.ts';
import { capFindings } from '../cap.ts';
import { chargeTag, temperatureScan } from './internal/scans.ts';

const ID = 'envelope.temperature';

export const temperature: Rule = {
  id: ID,
  group: 'envelope',
  title: 'Temperatures within the device limits (charge limits while charging)',
  evaluate(ctx: RuleContext): RuleOutcome {
    const scan = temperatureScan(ctx);
    if (typeof scan === 'string') return notEvaluable(scan);
    const w: Wording = {
      unit: '°C',
      digits: 2,
      subject: (i) => `sensor ${i}`,
      limitName: (dir, tier, tag) =>
        `${dir === 'over' ? 'above' : 'below'} the ${tier} ${chargeTag(scan, tag) ? 'charge' : 'discharge'} ${dir === 'over' ? 'maximum' : 'minimum'}`,
      shown: (v) => v,
      sign: () => 1,
    };
    const findings = episodeFindings(ctx, ID, scan, w, ctx.profile.num(`${ID}.group_count`), (f, ep) => {
      f.evidence.limits = chargeTag(scan, ep.levelTag[ep.level]!) ? 'charge' : 'discharge';
    });
    const metrics = scanMetrics(scan, ctx.tl.length, { over: 'above', under: 'below' });
    metrics.charging_threshold_A = round(scan.charging?.value ?? NaN, 3);
    return { evaluable: true, findings: capFindings(ID, findings, ctx.profile.num(`${ID}.max_findings`)), metrics };
  },
};
