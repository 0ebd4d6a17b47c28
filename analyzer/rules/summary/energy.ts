/**
 * summary.energy — charge and energy throughput of the session (metrics for the report's
 * `summary`), with one info line.
 *
 * How: over consecutive PACK_STATUS rows, trapezoids of the pack current and of the pack power
 * (current × pack voltage), the charging (I > 0) and discharging parts apart (each endpoint
 * clipped at zero). Never across a gap: two rows further apart than `gap_factor` × the median
 * PACK_STATUS period, or a row without a current, end the integration (the time is counted as
 * gap). Time with both endpoints' |I| below the rest current (`rest_current_C` × the pack capacity
 * from INFO, np × cellCapacity_Ah; `rest_current_A` without INFO) is rest time, the rest of the
 * covered time is operating time.
 *
 * Metrics: charge_in_Ah / charge_out_Ah, energy_in_Wh / energy_out_Wh (in = charging), net;
 * coulombic_efficiency (Ah out / Ah in) and energy_efficiency (Wh out / Wh in) when both
 * directions moved at least `efficiency_min_Ah` and the session is a round trip (`round_trip`:
 * the SOC ends where it started, its change × capacity within `round_trip_tolerance` × the
 * larger of Ah in and out; null without INFO's capacity or a SOC). Otherwise they are null and
 * the info line says "not a round trip" with soc_start → soc_end (or that there is no capacity
 * to tell): charge left in the pack is no loss, and a ratio over it would read as one; equivalent_cycles = (Ah in + Ah
 * out) / (2 × pack capacity) with INFO; operating_time_s, rest_time_s, covered_time_s,
 * gap_time_s.
 *
 * Findings: one info line with the totals (never a warning: this check describes).
 *
 * Not evaluable: fewer than two PACK_STATUS rows with a current.
 */
import { type EvidenceValue, finding, round } from '../../findings.ts';
import { Present } from '../../timeline/store.ts';
import { medianPeriod } from '../intervals.ts';
import { type Rule, type RuleContext, type RuleOutcome, notEvaluable } from '../rule.ts';

const ID = 'summary.energy';
const S_PER_H = 3600;

export const energy: Rule = {
  id: ID,
  group: 'summary',
  title: 'Charge and energy throughput',
  evaluate(ctx: RuleContext): RuleOutcome {
    const { tl, profile, info } = ctx;
    const p = (k: string): number => profile.num(`${ID}.${k}`);
    const period = medianPeriod(tl, Present.STATUS);
    if (!(period > 0)) return notEvaluable('fewer than two PACK_STATUS rows');
    const maxGap = p('gap_factor') * period;
    const capacity_Ah = info !== null && info.np > 0 && info.cellCapacity_Ah > 0 ? info.np * info.cellCapacity_Ah : NaN;
    const rest_A = capacity_Ah > 0 ? p('rest_current_C') * capacity_Ah : p('rest_current_A');
    const ts = tl.t_s;
    const I = tl.pack.current_A;
    const V = tl.pack.packVoltage_V;
    const soc = tl.pack.soc;
    let qIn = 0,
      qOut = 0,
      eIn = 0,
      eOut = 0,
      covered = 0,
      rest = 0,
      gap = 0,
      energyGap = 0;
    let prev = -1,
      intervals = 0;
    let socStart = NaN,
      socEnd = NaN;
    for (let r = 0; r < tl.length; r++) {
      if ((tl.present[r]! & Present.STATUS) === 0) continue;
      const i1 = I[r]!;
      if (i1 !== i1) {
        if (prev >= 0) gap += ts[r]! - ts[prev]!;
        prev = -1;
        continue;
      }
      const z = soc[r]!;
      if (z === z) {
        if (socStart !== socStart) socStart = z;
        socEnd = z;
      }
      if (prev >= 0) {
        const dt = ts[r]! - ts[prev]!;
        if (dt > maxGap) gap += dt;
        else {
          intervals++;
          covered += dt;
          const i0 = I[prev]!;
          qIn += 0.5 * ((i0 > 0 ? i0 : 0) + (i1 > 0 ? i1 : 0)) * dt;
          qOut -= 0.5 * ((i0 < 0 ? i0 : 0) + (i1 < 0 ? i1 : 0)) * dt;
          const p0 = i0 * V[prev]!;
          const p1 = i1 * V[r]!;
          if (p0 === p0 && p1 === p1) {
            eIn += 0.5 * ((p0 > 0 ? p0 : 0) + (p1 > 0 ? p1 : 0)) * dt;
            eOut -= 0.5 * ((p0 < 0 ? p0 : 0) + (p1 < 0 ? p1 : 0)) * dt;
          } else energyGap += dt;
          if ((i0 < 0 ? -i0 : i0) < rest_A && (i1 < 0 ? -i1 : i1) < rest_A) rest += dt;
        }
      }
      prev = r;
    }
    if (intervals === 0) return notEvaluable('no two consecutive PACK_STATUS rows with a current (within the gap limit)');
    const inAh = qIn / S_PER_H,
      outAh = qOut / S_PER_H,
      inWh = eIn / S_PER_H,
      outWh = eOut / S_PER_H;
    const minAh = p('efficiency_min_Ah');
    const both = inAh >= minAh && outAh >= minAh;
    // a round trip: the SOC ends where it started, to a fraction of the charge moved
    const dSoc = Math.abs(socEnd - socStart);
    const tol = p('round_trip_tolerance');
    // without a capacity (no INFO) the SOC change says nothing of the charge left in the pack: a
    // 0.3 % change over 1 Ah moved once passed for a round trip, and out/in read 545 %
    const closed = dSoc === dSoc && capacity_Ah > 0 ? dSoc * capacity_Ah <= tol * Math.max(inAh, outAh) : null;
    const efficient = both && closed === true;
    const cycles = capacity_Ah > 0 ? (inAh + outAh) / (2 * capacity_Ah) : NaN;
    const metrics: Record<string, EvidenceValue> = {
      charge_in_Ah: round(inAh, 4),
      charge_out_Ah: round(outAh, 4),
      net_charge_Ah: round(inAh - outAh, 4),
      energy_in_Wh: round(inWh, 3),
      energy_out_Wh: round(outWh, 3),
      net_energy_Wh: round(inWh - outWh, 3),
      round_trip: closed,
      coulombic_efficiency: efficient ? round(outAh / inAh, 5) : null,
      energy_efficiency: efficient && inWh > 0 ? round(outWh / inWh, 5) : null,
      pack_capacity_Ah: capacity_Ah > 0 ? capacity_Ah : null,
      equivalent_cycles: cycles === cycles ? round(cycles, 4) : null,
      soc_start: socStart === socStart ? round(socStart, 4) : null,
      soc_end: socEnd === socEnd ? round(socEnd, 4) : null,
      operating_time_s: round(covered - rest, 1),
      rest_time_s: round(rest, 1),
      covered_time_s: round(covered, 1),
      gap_time_s: round(gap, 1),
      energy_gap_time_s: round(energyGap, 1),
    };
    const parts = [`charged ${round(inAh, 2)} Ah / ${round(inWh / 1000, 3)} kWh`, `discharged ${round(outAh, 2)} Ah / ${round(outWh / 1000, 3)} kWh`];
    if (efficient) parts.push(`coulombic efficiency ${round((outAh / inAh) * 100, 2)} %, energy efficiency ${round((outWh / inWh) * 100, 2)} %`);
    else if (both && closed === false) parts.push(`no efficiency: not a round trip (SOC ${round(socStart * 100, 1)} → ${round(socEnd * 100, 1)} %)`);
    else if (both && closed === null) parts.push('no efficiency: no pack capacity (INFO) to tell a round trip');
    if (cycles === cycles) parts.push(`${round(cycles, 3)} equivalent full cycles`);
    parts.push(`${round((covered - rest) / 60, 1)} min operating, ${round(rest / 60, 1)} min at rest`);
    const f = finding({
      check: ID,
      severity: 'info',
      t_start_s: round(ts[0]!, 3),
      t_end_s: round(ts[tl.length - 1]!, 3),
      subject: 'pack',
      message: parts.join('; '),
      evidence: {
        charge_in_Ah: metrics.charge_in_Ah!,
        charge_out_Ah: metrics.charge_out_Ah!,
        energy_in_Wh: metrics.energy_in_Wh!,
        energy_out_Wh: metrics.energy_out_Wh!,
        equivalent_cycles: metrics.equivalent_cycles!,
      },
      threshold: null,
    });
    return { evaluable: true, findings: [f], metrics };
  },
};
