/**
 * reaction.contactors — the contactor feedback bits of PACK_STATUS consistent with the BMS state
 * (protocol §12.1) and with the current:
 *   precharge   PRECHARGE ⇒ the precharge contactor closed (runs longer than precharge_grace_s:
 *               the sequence closes main− first, and a retry waits with everything open);
 *   closed      NORMAL / CHARGE ⇒ both main contactors closed (grace_s);
 *   open        STANDBY / INIT ⇒ every contactor open (grace_s);
 *   error       ERROR ⇒ every contactor open, from error_grace_s after entering ERROR (the BMS
 *               waits for the break current, at most contactors.max_break_wait_ms, then opens
 *               main+ and main−); a main contactor still closed then is a welded contactor
 *               (fault-welded-contactor: main+ stays closed in ERROR);
 *   current     |I| above open_current_C × the pack capacity (open_current_A without INFO) while no
 *               current path is closed (main− and main+ or precharge) for longer than grace_s.
 * All are errors; "current" is info while the BMS flags its current sensor as implausible
 * (CURRENT_PLAUSIBILITY), since the reading is then no evidence of a current (fault-current-sensor-
 * drift reads 300 A with everything open).
 *
 * Grace: the emulator reports state and contactors from the end of a plant step, so in the
 * scenarios with 1 s pack steps a transition can look inconsistent for up to one step (issue #9).
 * grace_s 1.5 s is one pack step and a half: it hides that artefact and still catches a
 * contactor that does not follow its state for longer. Seen on the library scenarios (10 Hz
 * telemetry): PRECHARGE without the precharge contactor for 0.4 s (main− closes first),
 * STANDBY with the mains still closed for 0.4 s (the feedback follows after the operate time),
 * the precharge retries of fault-precharge-resistor-open (2.4 s with everything open), ERROR with
 * the mains closed for up to 2.4 s (the break-current wait of fault-charger-*), and in the 1 s
 * step scenarios the load current flowing through main− and precharge for one step in
 * PRECHARGE (cold-start-minus20 at 4201 s, 30 A; a closed path, so not judged). None of them
 * outlasts its grace; the welded main+ of fault-welded-contactor does (ERROR for 60 s).
 *
 * Thresholds (profiles/defaults/reaction.json): grace_s, precharge_grace_s, error_grace_s,
 * open_current_C, open_current_A, merge_s, max_gap_s, max_findings. Not evaluable without
 * PACK_STATUS.
 */
import { BmsState } from '../../../protocol/messages.ts';
import { type EvidenceValue, type Finding, finding, round } from '../../findings.ts';
import { ABSENT, Contactor, Present } from '../../timeline/store.ts';
import type { Rule, RuleContext, RuleOutcome } from '../rule.ts';
import { notEvaluable } from '../rule.ts';
import { type Episode, EpisodeTracker } from '../envelope/internal/episodes.ts';
import { packCapacity_Ah, periodOf, rowsWith } from '../envelope/internal/limits.ts';
import { capFindings } from '../envelope/internal/report.ts';
import { closedNames, currentImplausible } from './internal/bms.ts';
import { stateName } from './internal/names.ts';

const ID = 'reaction.contactors';

const KINDS = ['precharge', 'closed', 'open', 'error', 'current'] as const;
type Kind = (typeof KINDS)[number];

const SUBJECT: Record<Kind, string> = {
  precharge: 'precharge contactor',
  closed: 'main contactors',
  open: 'contactors at rest',
  error: 'contactors in ERROR',
  current: 'current path',
};

export const contactors: Rule = {
  id: ID,
  group: 'reaction',
  title: 'Contactors consistent with the BMS state and the current',
  evaluate(ctx: RuleContext): RuleOutcome {
    const { tl, profile } = ctx;
    if (rowsWith(tl, Present.STATUS) === 0) return notEvaluable('no PACK_STATUS received');
    const grace = profile.threshold(`${ID}.grace_s`, 's');
    const pre = profile.threshold(`${ID}.precharge_grace_s`, 's');
    const err = profile.threshold(`${ID}.error_grace_s`, 's');
    const cap = packCapacity_Ah(ctx);
    const openI = Number.isFinite(cap)
      ? { value: profile.num(`${ID}.open_current_C`) * cap, unit: 'A', source: `${profile.source(`${ID}.open_current_C`)} × ${cap} Ah (INFO)` }
      : profile.threshold(`${ID}.open_current_A`, 'A');
    const iThr = openI.value ?? Infinity;
    const period_s = periodOf(tl, Present.STATUS);
    const merge = profile.num(`${ID}.merge_s`);
    const gap = profile.num(`${ID}.max_gap_s`);
    const episodes: Record<Kind, Episode[]> = { precharge: [], closed: [], open: [], error: [], current: [] };
    const graceOf: Record<Kind, number> = { precharge: pre.value ?? 0, closed: grace.value ?? 0, open: grace.value ?? 0, error: 0, current: grace.value ?? 0 };
    // a violation must last longer than its grace: held for grace + one sample
    const trackers = KINDS.map((k) => new EpisodeTracker('over', graceOf[k] + period_s, merge, gap, period_s, episodes[k]));
    for (const t of trackers) t.begin(-1);
    const ts = tl.t_s;
    const I = tl.pack.current_A;
    const state = tl.state;
    const cont = tl.contactors;
    const errGrace = err.value ?? 0;
    const S_PRE = BmsState.PRECHARGE;
    const S_NORMAL = BmsState.NORMAL;
    const S_CHARGE = BmsState.CHARGE;
    const S_STANDBY = BmsState.STANDBY;
    const S_INIT = BmsState.INIT;
    const S_ERROR = BmsState.ERROR;
    const PRE = Contactor.PRECHARGE;
    const MAINS = Contactor.MAIN_POSITIVE | Contactor.MAIN_NEGATIVE;
    const NEG = Contactor.MAIN_NEGATIVE;
    const FEED = Contactor.MAIN_POSITIVE | Contactor.PRECHARGE;
    const NONE = ABSENT;
    let errorSince = -1; // -1: not in ERROR
    let open = 0; // bit k: kind k has an open run
    const n = tl.length;
    for (let r = 0; r < n; r++) {
      const s = state[r]!;
      if (s === NONE) continue;
      const c = cont[r]!;
      const t = ts[r]!;
      let v = 0; // bit k: kind k violated
      if (s === S_ERROR) {
        if (errorSince < 0) errorSince = t;
        if (c !== 0 && t - errorSince > errGrace) v |= 8;
      } else {
        errorSince = -1;
        if (s === S_PRE) {
          if ((c & PRE) === 0) v |= 1;
        } else if (s === S_NORMAL || s === S_CHARGE) {
          if ((c & MAINS) !== MAINS) v |= 2;
        } else if ((s === S_STANDBY || s === S_INIT) && c !== 0) v |= 4;
      }
      const i = I[r]!;
      if ((i > iThr || i < -iThr) && ((c & NEG) === 0 || (c & FEED) === 0)) v |= 16;
      if ((v | open) === 0) continue;
      for (let k = 0; k < 5; k++) {
        const b = 1 << k;
        if (v & b) {
          trackers[k]!.beyond(r, t, 1, k === 4 ? Math.abs(i) : c, 0);
          open |= b;
        } else if (open & b) {
          trackers[k]!.inside();
          open &= ~b;
        }
      }
    }
    for (const t of trackers) t.finish();
    const findings: Finding[] = [];
    const counts: Record<string, EvidenceValue> = {};
    for (const k of KINDS) {
      counts[`${k}_episodes`] = episodes[k].length;
      for (const ep of episodes[k])
        findings.push(contactorFinding(ctx, k, ep, period_s, k === 'precharge' ? pre : k === 'error' ? err : k === 'current' ? openI : grace));
    }
    findings.sort((a, b) => a.t_start_s - b.t_start_s);
    return {
      evaluable: true,
      findings: capFindings(ID, findings, profile.num(`${ID}.max_findings`)),
      metrics: { ...counts, open_current_threshold_A: round(iThr, 3) },
    };
  },
};

function contactorFinding(ctx: RuleContext, k: Kind, ep: Episode, period_s: number, thr: { value: number | null; unit: string; source: string }): Finding {
  const { tl } = ctx;
  const r = ep.r0;
  const c = tl.contactors[r]!;
  const s = tl.state[r]!;
  const duration = ep.t_end_s - ep.t_start_s + period_s;
  const d = round(duration, 2);
  const st = stateName(s);
  let message: string;
  let severity: 'error' | 'info' = 'error';
  const evidence: Record<string, EvidenceValue> = { state: st, closed: closedNames(c), duration_s: round(duration, 3), rule: k };
  switch (k) {
    case 'precharge':
      message = `PRECHARGE for ${d} s without the precharge contactor closed (closed: ${closedNames(c)})`;
      break;
    case 'closed':
      message = `${st} for ${d} s without both main contactors closed (closed: ${closedNames(c)})`;
      break;
    case 'open':
      message = `${st} for ${d} s with contactors closed (${closedNames(c)})`;
      break;
    case 'error': {
      // back to the entry into ERROR
      let e = r;
      while (e > 0 && (tl.state[e - 1] === BmsState.ERROR || tl.state[e - 1] === ABSENT)) e--;
      const t0 = tl.t_s[e]!;
      evidence.error_entry_s = round(t0, 3);
      message = `ERROR since ${round(t0, 2)} s but ${closedNames(c)} still closed ${round(ep.t_start_s - t0, 2)} s later, for ${d} s (a welded contactor, or a BMS that does not open)`;
      break;
    }
    case 'current': {
      const implausible = currentImplausible(tl, ep.r0, ep.r1);
      if (implausible) severity = 'info';
      evidence.peak_current_A = round(ep.peak, 2);
      evidence.current_implausible = implausible;
      message = `${round(ep.peak, 1)} A flowing for ${d} s with no current path closed (closed: ${closedNames(c)}, ${st})${implausible ? '; the BMS flags its current sensor as implausible (CURRENT_PLAUSIBILITY)' : ': a welded contactor or a wrong feedback'}`;
      break;
    }
  }
  return finding({ check: ID, severity, t_start_s: ep.t_start_s, t_end_s: ep.t_end_s, subject: SUBJECT[k], message, evidence, threshold: thr });
}
