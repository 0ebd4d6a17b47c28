/**
 * reaction.contactors — the contactor bits of PACK_STATUS (the auxiliary contacts) against the
 * state/contactor law of PROTOCOL.md §8, on every frame, and against the current:
 *   precharge   PRECHARGE ⇒ main− and precharge closed (main+ either);
 *   closed      NORMAL / CHARGE ⇒ main+ and main− closed, precharge open;
 *   open        INIT / STANDBY ⇒ every contactor open;
 *   error       ERROR ⇒ every contactor open (a main contactor still closed is a welded one:
 *               fault-welded-contactor keeps main+ closed in ERROR);
 *   current     |I| above open_current_C × the pack capacity (open_current_A without INFO) while no
 *               current path is closed (main− and main+ or precharge) for longer than its grace.
 * All are errors; "current" is info while the BMS flags its current sensor as implausible
 * (CURRENT_PLAUSIBILITY), since the reading is then no evidence of a current (fault-current-sensor-
 * drift reads 300 A with everything open).
 *
 * The law has no grace (state_grace_s 0): a §8 device moves its contactors first and reports the
 * new state on the tick its contacts show it, so a single frame against the table is a finding.
 * Frames against the table less than merge_s apart are one episode whatever their states, so a
 * welded contactor (§8's one exception: the device shows the stuck contact as it is, goes on for
 * two operate times, then raises CONTACTOR_FEEDBACK and ERROR) is one finding: NORMAL with main−
 * open, STANDBY, then ERROR with main+ closed. The episode's subject is the kind that lasted
 * longest; the message lists the states in order.
 *
 * "current" keeps a grace because the physics needs one: a simulator's pack model holds its
 * current over a pack step (§8 "Firmware timing"), so the current of the step in which the path
 * opened (under load, after contactors.max_break_wait_ms) stays in the telemetry until the next
 * step — at most pack_step_s (1 s, the library scenarios' longest dt_s); and a BMS samples the
 * current and reads the contacts in one fast-task tick, not at one instant (tick_s, 10 ms).
 * The grace is tick_s + pack_step_s when INFO flags a simulator (or there is no INFO), tick_s for
 * a real device. A capture of a scenario with a longer dt_s needs pack_step_s raised
 * (`--set reaction.contactors.pack_step_s=…`). Seen on the library scenarios (10 Hz): the charger
 * faults open under 601 A at 249.9 s and the next pack step at 250 s reads 0 (one frame).
 *
 * Thresholds (profiles/defaults/reaction.json): state_grace_s, pack_step_s, tick_s,
 * open_current_C, open_current_A, merge_s, max_gap_s, max_findings. Not evaluable without
 * PACK_STATUS, or without contactor bits (a sim trace has none).
 */
import { BmsState } from '../../../protocol/messages.ts';
import { type EvidenceValue, type Finding, type Threshold, finding, round } from '../../findings.ts';
import { ABSENT, Contactor, Present, type Timeline } from '../../timeline/store.ts';
import type { Rule, RuleContext, RuleOutcome } from '../rule.ts';
import { notEvaluable } from '../rule.ts';
import { type Episode, EpisodeTracker } from '../envelope/internal/episodes.ts';
import { packCapacity_Ah, periodOf, rowsWith } from '../envelope/internal/limits.ts';
import { capFindings } from '../cap.ts';
import { CONTACTOR_LAW, closedNames, currentImplausible } from './internal/bms.ts';
import { stateName } from './internal/names.ts';

const ID = 'reaction.contactors';

const LAW_KINDS = ['precharge', 'closed', 'open', 'error'] as const;
type LawKind = (typeof LAW_KINDS)[number];

const SUBJECT: Record<LawKind | 'current', string> = {
  precharge: 'precharge contactor',
  closed: 'main contactors',
  open: 'contactors at rest',
  error: 'contactors in ERROR',
  current: 'current path',
};

const POS = Contactor.MAIN_POSITIVE;
const NEG = Contactor.MAIN_NEGATIVE;
const PRE = Contactor.PRECHARGE;

/** PROTOCOL.md §8's table per state (internal/bms.ts CONTACTOR_LAW) with the kind of each. */
const LAW: readonly { close: number; open: number; kind: LawKind }[] = (() => {
  const kinds: LawKind[] = [];
  kinds[BmsState.INIT] = 'open';
  kinds[BmsState.STANDBY] = 'open';
  kinds[BmsState.PRECHARGE] = 'precharge';
  kinds[BmsState.NORMAL] = 'closed';
  kinds[BmsState.CHARGE] = 'closed';
  kinds[BmsState.ERROR] = 'error';
  const t: { close: number; open: number; kind: LawKind }[] = [];
  CONTACTOR_LAW.forEach((l, s) => (t[s] = { ...l, kind: kinds[s]! }));
  return t;
})();

/** A stretch of one state within an episode of frames against the law. */
interface Segment {
  state: number;
  kind: LawKind;
  r0: number;
  frames: number;
  /** Contacts closed that the state wants open / open that it wants closed (unions over the frames). */
  wrongClosed: number;
  wrongOpen: number;
}

/** Frames against the law, less than merge_s apart and not across a gap. */
interface LawEpisode {
  r0: number;
  r1: number;
  t_start_s: number;
  t_end_s: number;
  segments: Segment[];
}

export const contactors: Rule = {
  id: ID,
  group: 'reaction',
  title: 'Contactors consistent with the BMS state and the current',
  evaluate(ctx: RuleContext): RuleOutcome {
    const { tl, profile } = ctx;
    if (rowsWith(tl, Present.STATUS) === 0) return notEvaluable('no PACK_STATUS received');
    if (!hasContactors(tl)) return notEvaluable('no contactor bits in the input (a sim trace has none)');
    const lawGrace = profile.threshold(`${ID}.state_grace_s`, 's');
    const step = profile.num(`${ID}.pack_step_s`);
    const tick = profile.num(`${ID}.tick_s`);
    const simulator = ctx.info === null || (ctx.info.flags & 1) !== 0;
    const currentGrace_s = tick + (simulator ? step : 0);
    const cap = packCapacity_Ah(ctx);
    const openI: Threshold = Number.isFinite(cap)
      ? { value: profile.num(`${ID}.open_current_C`) * cap, unit: 'A', source: `${profile.source(`${ID}.open_current_C`)} × ${cap} Ah (INFO)` }
      : profile.threshold(`${ID}.open_current_A`, 'A');
    const iThr = openI.value ?? Infinity;
    const period_s = periodOf(tl, Present.STATUS);
    const merge = profile.num(`${ID}.merge_s`);
    const gap = profile.num(`${ID}.max_gap_s`);

    // the current: a run must span more than its grace (held for grace + one sample)
    const currentEpisodes: Episode[] = [];
    const cur = new EpisodeTracker('over', currentGrace_s + period_s, merge, gap, period_s, currentEpisodes);
    cur.begin(-1);
    const law: LawEpisode[] = [];
    let ep: LawEpisode | null = null;
    let seg: Segment | null = null;
    let lastT = -Infinity; // last row with a state
    let lastBad = false; // that row was against the law
    const ts = tl.t_s;
    const I = tl.pack.current_A;
    const state = tl.state;
    const cont = tl.contactors;
    const n = tl.length;
    for (let r = 0; r < n; r++) {
      const s = state[r]!;
      const c = cont[r]!;
      if (s === ABSENT || c === ABSENT) continue;
      const t = ts[r]!;
      const want = LAW[s];
      const wrongClosed = want === undefined ? 0 : c & want.open;
      const wrongOpen = want === undefined ? 0 : ~c & want.close;
      if ((wrongClosed | wrongOpen) !== 0) {
        const bridged = ep !== null && (lastBad ? t - lastT <= gap : t - ep.t_end_s <= merge);
        if (!bridged) {
          ep = { r0: r, r1: r, t_start_s: t, t_end_s: t, segments: [] };
          seg = null;
          law.push(ep);
        }
        ep!.r1 = r;
        ep!.t_end_s = t;
        if (seg === null || seg.state !== s) {
          seg = { state: s, kind: want!.kind, r0: r, frames: 0, wrongClosed: 0, wrongOpen: 0 };
          ep!.segments.push(seg);
        }
        seg.frames++;
        seg.wrongClosed |= wrongClosed;
        seg.wrongOpen |= wrongOpen;
        lastBad = true;
      } else lastBad = false;
      lastT = t;
      const i = I[r]!;
      if ((i > iThr || i < -iThr) && ((c & NEG) === 0 || (c & (POS | PRE)) === 0)) cur.beyond(r, t, 1, Math.abs(i), 0);
      else if (cur.open) cur.inside();
    }
    cur.finish();

    const lawGrace_s = lawGrace.value ?? 0;
    const findings: Finding[] = [];
    const counts: Record<string, EvidenceValue> = { precharge_episodes: 0, closed_episodes: 0, open_episodes: 0, error_episodes: 0 };
    for (const e of law) {
      if (e.t_end_s - e.t_start_s < lawGrace_s - 1e-9) continue;
      const f = lawFinding(tl, e, period_s, lawGrace);
      counts[`${f.evidence.rule as LawKind}_episodes`] = (counts[`${f.evidence.rule as LawKind}_episodes`] as number) + 1;
      findings.push(f);
    }
    counts.current_episodes = currentEpisodes.length;
    const currentThr: Threshold = {
      ...openI,
      source: `${openI.source}; for longer than ${round(currentGrace_s, 3)} s (${simulator ? 'pack_step_s + ' : ''}tick_s)`,
    };
    for (const e of currentEpisodes) findings.push(currentFinding(tl, e, period_s, currentThr, currentGrace_s));
    findings.sort((a, b) => a.t_start_s - b.t_start_s);
    return {
      evaluable: true,
      findings: capFindings(ID, findings, profile.num(`${ID}.max_findings`)),
      metrics: { ...counts, open_current_threshold_A: round(iThr, 3), current_grace_s: round(currentGrace_s, 3) },
    };
  },
};

/** True when some row with a state carries contactor bits. */
function hasContactors(tl: Timeline): boolean {
  for (let r = 0; r < tl.length; r++) if (tl.state[r] !== ABSENT && tl.contactors[r] !== ABSENT) return true;
  return false;
}

/** "main+ closed" / "main− open" / "main+ closed, precharge open" for a segment. */
function wrongText(s: Segment): string {
  const parts: string[] = [];
  if (s.wrongClosed !== 0) parts.push(`${closedNames(s.wrongClosed)} closed`);
  if (s.wrongOpen !== 0) parts.push(`${closedNames(s.wrongOpen)} open`);
  return parts.join(', ');
}

function lawFinding(tl: Timeline, e: LawEpisode, period_s: number, thr: Threshold): Finding {
  // the subject: the kind with the most frames (the first on a tie)
  const frames: Record<LawKind, number> = { precharge: 0, closed: 0, open: 0, error: 0 };
  for (const s of e.segments) frames[s.kind] += s.frames;
  let kind: LawKind = e.segments[0]!.kind;
  for (const k of LAW_KINDS) if (frames[k] > frames[kind]) kind = k;
  const main = e.segments.find((s) => s.kind === kind)!;
  const span = e.t_end_s - e.t_start_s + period_s;
  let against = 0;
  for (const s of e.segments) against += s.frames;
  const shown = e.segments.slice(0, 4).map((s) => `${stateName(s.state)} with ${wrongText(s)} for ${round(s.frames * period_s, 2)} s`);
  if (e.segments.length > 4) shown.push(`${e.segments.length - 4} more`);
  const welded = e.segments.some((s) => (s.kind === 'error' || s.kind === 'open') && (s.wrongClosed & (POS | NEG)) !== 0);
  const message = `contactors against the state (PROTOCOL.md §8) in ${against} frame${against === 1 ? '' : 's'} over ${round(span, 2)} s: ${shown.join(', then ')}${welded ? ' (a welded contactor, or a BMS that does not open it)' : ''}`;
  const evidence: Record<string, EvidenceValue> = {
    rule: kind,
    state: stateName(main.state),
    closed: closedNames(tl.contactors[main.r0]!),
    states: e.segments.map((s) => stateName(s.state)).join(' → '),
    wrong_closed: closedNames(e.segments.reduce((m, s) => m | s.wrongClosed, 0)),
    wrong_open: closedNames(e.segments.reduce((m, s) => m | s.wrongOpen, 0)),
    frames: against,
    duration_s: round(span, 3),
  };
  return finding({ check: ID, severity: 'error', t_start_s: e.t_start_s, t_end_s: e.t_end_s, subject: SUBJECT[kind], message, evidence, threshold: thr });
}

function currentFinding(tl: Timeline, ep: Episode, period_s: number, thr: Threshold, grace_s: number): Finding {
  const r = ep.r0;
  const c = tl.contactors[r]!;
  const st = stateName(tl.state[r]!);
  const d = round(ep.t_end_s - ep.t_start_s + period_s, 2);
  const implausible = currentImplausible(tl, ep.r0, ep.r1);
  const evidence: Record<string, EvidenceValue> = {
    rule: 'current',
    state: st,
    closed: closedNames(c),
    duration_s: d,
    grace_s: round(grace_s, 3),
    peak_current_A: round(ep.peak, 2),
    current_implausible: implausible,
  };
  const message = `${round(ep.peak, 1)} A flowing for ${d} s with no current path closed (closed: ${closedNames(c)}, ${st})${implausible ? '; the BMS flags its current sensor as implausible (CURRENT_PLAUSIBILITY)' : ': a welded contactor or a wrong feedback'}`;
  return finding({
    check: ID,
    severity: implausible ? 'info' : 'error',
    t_start_s: ep.t_start_s,
    t_end_s: ep.t_end_s,
    subject: SUBJECT.current,
    message,
    evidence,
    threshold: thr,
  });
}
