/**
 * envelope.charge_temperature — charging while the coldest temperature sensor is below the
 * charge minimum: below the INFO MOL chargeTemperatureMin_C → warning, below the RSL (or MSL)
 * → error.
 *
 * Why: a sodium-ion cell tolerates cold discharge well (the discharge minimum is 10 K or more
 * lower) but cold charging plates sodium metal on the hard-carbon anode, which is lost capacity
 * and, in time, an internal short. The BMS must derate the charge current in the cold (the
 * emulator's limit is 0 at the chemistry's lowest charge temperature).
 *
 * How: on top of envelope.temperature's scan (one pass, shared): the pack counts as charging
 * while the measured current is above envelope.temperature.charging_current_C × the pack
 * capacity (0.01 C, the emulator's own criterion), and on those rows that scan applied the
 * charge limits, so its per-row level below the minimum is the coldest sensor's level below the
 * charge minimum (PACK_STATUS's minimum when there are no TEMPERATURES). Episodes as in the
 * other envelope checks: held for min_duration_s (3 s: the emulator's temperature debounce,
 * 3 slow ticks of 1 s), merged within merge_s; the coldest sensor is looked up in the episode.
 *
 * Decision on a BMS that derated (the clean library scenario cold-start-minus20, −20 °C soak then
 * a 0.3C charge): there the BMS's charge limit drops to 0 whenever the coldest NTC reads at or
 * below −20 °C and the charger follows one pack step (1 s) later, so charging below the MOL
 * happens only in 1 s blips (regeneration and charge pulses of 9–31 A at −20.1 °C): shorter than
 * min_duration_s, not a finding. A longer episode below the MOL only (not the RSL) is a warning,
 * unless the current stayed within the BMS's own reported charge limit all along (the effective
 * limit over sop_response_s, plus sop_tolerance_pct and sop_tolerance_A, as reaction.sop) *and*
 * that limit was derated to at most derated_fraction × the MOL charge current (INFO): that is
 * the specified cold-charge trickle (protocol §12.2: at MOL "current limits may be derated"),
 * reported as info. Below the RSL it is an error whatever the limit.
 *
 * Not evaluable: no INFO, no PACK_STATUS (no current), or no temperatures.
 */
import { round } from '../../findings.ts';
import { finding, type Finding } from '../../findings.ts';
import { Present } from '../../timeline/store.ts';
import type { Rule, RuleContext, RuleOutcome } from '../rule.ts';
import { notEvaluable } from '../rule.ts';
import { type Episode, EpisodeTracker, LEVEL_TIERS } from './internal/episodes.ts';
import { type LimitEpoch, limitEpochs, rowsWith, tierSource } from './internal/limits.ts';
import { temperatureScan } from './internal/scans.ts';
import { capFindings } from '../cap.ts';
import { allowed, effectiveLimit } from './internal/sop.ts';

const ID = 'envelope.charge_temperature';

export const chargeTemperature: Rule = {
  id: ID,
  group: 'envelope',
  title: 'No charging below the minimum charge temperature',
  evaluate(ctx: RuleContext): RuleOutcome {
    const { tl, profile } = ctx;
    const epochs = limitEpochs(ctx);
    if (epochs.length === 0) return notEvaluable('no tiered limits: the input has no INFO');
    if (rowsWith(tl, Present.STATUS) === 0) return notEvaluable('no pack current: no PACK_STATUS received');
    if (!epochs.some((e) => Number.isFinite(e.limits.mol.chargeTemperatureMin_C))) return notEvaluable('INFO gives no MOL charge temperature minimum');
    const scan = temperatureScan(ctx);
    if (typeof scan === 'string') return notEvaluable(scan);
    // the temperature scan applied the charge limits on charging rows: its per-row level below
    // the minimum there is the level below the charge minimum of the coldest sensor
    const seg = scan.segments!;
    const n = tl.length;
    const under = scan.underRows;
    const ts = tl.t_s;
    const pr = tl.present;
    const episodes: Episode[] = [];
    const tracker = new EpisodeTracker(
      'under',
      profile.num(`${ID}.min_duration_s`),
      profile.num(`${ID}.merge_s`),
      profile.num(`${ID}.max_gap_s`),
      scan.period_s,
      episodes,
    );
    tracker.begin(-1);
    const DATA = Present.STATUS | Present.TEMPERATURES;
    let open = false;
    let chargingRows = 0;
    const c = [0, 0, 0, 0];
    // the tag of a beyond sample is the epoch of its row: its limits are the threshold
    let e = 0;
    for (let s = 0; s < seg.starts.length; s++) {
      const r0 = seg.starts[s]!;
      const r1 = s + 1 < seg.starts.length ? seg.starts[s + 1]! : n;
      if (seg.flags[s] !== 1) {
        // not charging: the condition is false (a valid sample), the run ends
        if (open) {
          tracker.inside();
          open = false;
        }
        continue;
      }
      chargingRows += r1 - r0;
      for (let r = r0; r < r1; r++) {
        const l = under[r]!;
        if (l > 0) {
          while (e + 1 < epochs.length && epochs[e + 1]!.r0 <= r) e++;
          tracker.beyond(r, ts[r]!, l, l, e);
          open = true;
          c[l]!++;
        } else if (open && (pr[r]! & DATA) !== 0) {
          tracker.inside();
          open = false;
        }
      }
    }
    tracker.finish();
    const p = scan.period_s;
    const metrics = {
      charging_threshold_A: round(scan.charging?.value ?? NaN, 3),
      charging_time_s: round(chargingRows * p, 1),
      time_charging_below_mol_s: round((c[1]! + c[2]! + c[3]!) * p, 2),
      time_charging_below_rsl_s: round((c[2]! + c[3]!) * p, 2),
      time_charging_below_msl_s: round(c[3]! * p, 2),
    };
    const sop = {
      response_s: profile.num(`${ID}.sop_response_s`),
      pct: profile.num(`${ID}.sop_tolerance_pct`),
      abs_A: profile.num(`${ID}.sop_tolerance_A`),
      derated_fraction: profile.num(`${ID}.derated_fraction`),
    };
    const findings: Finding[] = episodes.map((ep) => episodeOf(ctx, epochs, ep, scan.source === 'columns', p, sop));
    return { evaluable: true, findings: capFindings(ID, findings, profile.num(`${ID}.max_findings`)), metrics };
  },
};

/** The coldest reading in rows [r0, r1] and its sensor (-1: PACK_STATUS's minimum). */
function coldest(ctx: RuleContext, r0: number, r1: number, perSensor: boolean): { value: number; t_s: number; sensor: number } {
  const { tl } = ctx;
  const cols = perSensor ? tl.temperature_C : [tl.pack.temperatureMin_C];
  let best = { value: Infinity, t_s: NaN, sensor: -1 };
  for (let j = 0; j < cols.length; j++) {
    const col = cols[j]!;
    for (let r = r0; r <= r1; r++) {
      if (col[r]! < best.value) best = { value: col[r]!, t_s: tl.t_s[r]!, sensor: perSensor ? j : -1 };
    }
  }
  return best;
}

function episodeOf(
  ctx: RuleContext,
  epochs: LimitEpoch[],
  ep: Episode,
  perSensor: boolean,
  period_s: number,
  sop: { response_s: number; pct: number; abs_A: number; derated_fraction: number },
): Finding {
  const { tl } = ctx;
  // the limits in force where the episode reached its worst tier
  const e = ep.levelTag[ep.level]!;
  const limits = epochs[e]!.limits;
  const I = tl.pack.current_A;
  const L = tl.pack.chargeCurrentLimit_A;
  let peakI = -Infinity;
  let maxLimit = -Infinity;
  let withinSop = true;
  for (let r = ep.r0; r <= ep.r1; r++) {
    const i = I[r]!;
    if (!(i === i)) continue;
    if (i > peakI) peakI = i;
    const eff = effectiveLimit(tl, L, r, sop.response_s);
    if (eff === eff && eff > maxLimit) maxLimit = eff;
    if (!(eff === eff) || i > allowed(eff, sop.pct, sop.abs_A)) withinSop = false;
  }
  const derated = maxLimit > -Infinity && maxLimit <= sop.derated_fraction * limits.mol.chargeCurrentMax_A;
  const trickle = ep.level === 1 && withinSop && derated;
  const severity = ep.level >= 2 ? 'error' : trickle ? 'info' : 'warning';
  const tier = LEVEL_TIERS[ep.level]!;
  const limit = ep.level === 1 ? limits.mol.chargeTemperatureMin_C : ep.level === 2 ? limits.rsl.chargeTemperatureMin_C : limits.msl.chargeTemperatureMin_C;
  const cold = coldest(ctx, ep.r0, ep.r1, perSensor);
  const j = cold.sensor;
  const duration = ep.t_end_s - ep.t_start_s + period_s;
  const why = trickle
    ? `within the BMS's derated charge limit (at most ${round(maxLimit, 1)} A): the specified cold-charge trickle`
    : ep.level >= 2
      ? 'below the recommended safety limit: sodium plating'
      : withinSop
        ? `the BMS's charge limit was not derated (up to ${round(maxLimit, 1)} A)`
        : "above the BMS's own charge limit";
  return finding({
    check: ID,
    severity,
    t_start_s: ep.t_start_s,
    t_end_s: ep.t_end_s,
    subject: 'pack',
    message: `charging at up to ${round(peakI, 1)} A for ${round(duration, 2)} s with the coldest sensor ${j >= 0 ? `(${j}) ` : ''}at ${round(cold.value, 2)} °C, below the ${tier} charge minimum (${limit} °C); ${why}`,
    evidence: {
      tier,
      coldest_C: round(cold.value, 2),
      sensor: j,
      t_coldest_s: round(cold.t_s, 3),
      duration_s: round(duration, 3),
      peak_current_A: round(peakI, 2),
      max_charge_limit_A: maxLimit > -Infinity ? round(maxLimit, 2) : null,
      within_sop: withinSop,
      derated,
    },
    threshold: { value: limit, unit: '°C', source: tierSource(ctx, epochs, e, tier) },
  });
}
