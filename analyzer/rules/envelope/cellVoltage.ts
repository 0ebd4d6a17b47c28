/**
 * envelope.cell_voltage — every cell's voltage against the device's tiered limits (INFO MOL, RSL,
 * MSL), above the maximum and below the minimum separately.
 *
 * Why: the voltage window is the first safety limit of a sodium-ion cell (over-voltage damages
 * the cathode and grows gas; deep under-voltage dissolves the copper collector unless the cell is
 * built for 0 V). The device states its own limits in INFO; this check holds the data to them.
 *
 * How: one pass over each cell column (CELL_VOLTAGES); when the capture has no CELL_VOLTAGES, over
 * PACK_STATUS's highest and lowest cell voltage (subject "pack"). An exceedance episode per cell
 * and direction (internal/episodes.ts): runs of samples beyond the MOL merged when closer than
 * `merge_s`, a tier counting only when held for `min_duration_s`. Severity: MOL info, RSL warning,
 * MSL error. When `group_count` cells or more are beyond the same tier at overlapping times (a
 * charger or a cooling fault takes the whole pack over together), their episodes are one
 * finding, subject "cells", that counts and names them (internal/report.ts episodeFindings).
 * Metrics: time beyond each tier (any cell) and its share of the time with data.
 *
 * Thresholds: the limits are the device's (INFO, source "device INFO <TIER>"); profile keys
 * (defaults in profiles/defaults/envelope.json): min_duration_s (0.5 s: the emulator's debounce,
 * 3 mid-task ticks of 100 ms, plus a sample of noise), merge_s, max_gap_s, group_count,
 * max_findings.
 *
 * Not evaluable: no INFO (no limits), or neither CELL_VOLTAGES nor PACK_STATUS.
 */
import type { Rule, RuleContext, RuleOutcome } from '../rule.ts';
import { notEvaluable } from '../rule.ts';
import { episodeFindings, scanMetrics, type Wording } from './internal/report.ts';
import { capFindings } from '../cap.ts';
import { cellVoltageScan } from './internal/scans.ts';

const ID = 'envelope.cell_voltage';

export const cellVoltage: Rule = {
  id: ID,
  group: 'envelope',
  title: 'Cell voltages within the device limits (MOL / RSL / MSL)',
  evaluate(ctx: RuleContext): RuleOutcome {
    const scan = cellVoltageScan(ctx);
    if (typeof scan === 'string') return notEvaluable(scan);
    const w: Wording = {
      unit: 'V',
      digits: 4,
      subject: (i) => `cell ${i}`,
      limitName: (dir, tier) => (dir === 'over' ? `above the ${tier} maximum` : `below the ${tier} minimum`),
      shown: (v) => v,
      sign: () => 1,
    };
    const findings = episodeFindings(ctx, ID, scan, w, ctx.profile.num(`${ID}.group_count`));
    return {
      evaluable: true,
      findings: capFindings(ID, findings, ctx.profile.num(`${ID}.max_findings`)),
      metrics: scanMetrics(scan, ctx.tl.length, { over: 'above', under: 'below' }),
    };
  },
};
