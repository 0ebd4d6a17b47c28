/**
 * quality.na — channels the device reported as "not available" (the wire's NA code: NaN in
 * the Timeline where the message arrived), for longer than a moment.
 *
 * Why: an NA channel is a measurement the BMS itself could not make: an open sense wire (the
 * AFE's open-wire test invalidates the group and its neighbour, fault-open-sense-wire), an
 * open or shorted NTC (reads outside its range and is excluded, fault-ntc-open,
 * fault-ntc-short), a failed current or voltage sensor. The checks that need the channel are
 * blind for that time.
 *
 * Runs of NA per channel (each cell voltage, each temperature sensor, and the pack-level
 * PACK_STATUS values) of `min_duration_s` (2 s) or longer are warnings, errors from
 * `error_duration_s` (600 s); runs closer than `join_s` (5 s) are one finding, never across a
 * time gap or a device restart (the rows after a restart are another run of the device). Rows where the
 * message did not arrive are not NA (quality.frame_loss and quality.sampling judge those).
 * With `ignore_init` (default true) the rows in state INIT are left out: the device has not
 * measured yet (PROTOCOL.md section 12.1). At most `max_findings`.
 *
 * Not evaluable: no rows with PACK_STATUS, cell voltages or temperatures; a sim trace (no decoder
 * counters): a trace has no NA code, and the channels its format does not carry (soh; soc and the
 * limits without the BMS columns) are NaN on every row without the device having reported anything.
 */
import { BmsState } from '../../../protocol/messages.ts';
import { type Finding, finding, round } from '../../findings.ts';
import { type PackChannel, Present, type Timeline } from '../../timeline/store.ts';
import { type Rule, type RuleContext, type RuleOutcome, notEvaluable } from '../rule.ts';
import { capFindings } from '../cap.ts';
import { channelScan } from './internal/channelScan.ts';
import { gapsOf, restartBetween, splitAtGaps } from './internal/gaps.ts';

const ID = 'quality.na';

/** The PACK_STATUS values that are measurements or estimates (indices and limits of NA cells follow from those). */
const PACK: readonly PackChannel[] = [
  'packVoltage_V',
  'current_A',
  'soc',
  'soh',
  'cellVoltageMin_V',
  'cellVoltageMax_V',
  'temperatureMin_C',
  'temperatureMax_C',
  'chargeCurrentLimit_A',
  'dischargeCurrentLimit_A',
];

interface NaRun {
  subject: string;
  r0: number;
  r1: number;
}

export const na: Rule = {
  id: ID,
  group: 'quality',
  title: 'Channels reported not available',
  evaluate(ctx: RuleContext): RuleOutcome {
    const { tl, profile } = ctx;
    const any = (tl.received.get(0x02) ?? 0) + (tl.received.get(0x03) ?? 0) + (tl.received.get(0x04) ?? 0);
    if (tl.length === 0 || any === 0) return notEvaluable('no PACK_STATUS, cell voltages or temperatures');
    if (ctx.counters === null) return notEvaluable('a sim trace: no wire, so no "not available" code (soh is not in a trace at all)');
    const minDur = profile.threshold(`${ID}.min_duration_s`, 's');
    const errDur = profile.threshold(`${ID}.error_duration_s`, 's');
    const join_s = profile.num(`${ID}.join_s`);
    const ignoreInit = profile.flag(`${ID}.ignore_init`);
    const runs: NaRun[] = [];
    const cells = channelScan(tl, profile, 'cells');
    for (const r of cells.na) runs.push({ subject: `cell ${r.ch}`, r0: r.r0, r1: r.r1 });
    const temps = channelScan(tl, profile, 'temperatures');
    for (const r of temps.na) runs.push({ subject: `sensor ${r.ch}`, r0: r.r0, r1: r.r1 });
    packRuns(ctx, minDur.value!, runs);

    const ts = tl.t_s;
    const out: Finding[] = [];
    const channels = new Set<string>();
    let prev: NaRun | null = null;
    const emit = (run: NaRun): void => {
      const dur = ts[run.r1]! - ts[run.r0]!;
      if (dur < minDur.value!) return;
      const isError = errDur.value !== null && dur >= errDur.value;
      channels.add(run.subject);
      out.push(
        finding({
          check: ID,
          severity: isError ? 'error' : 'warning',
          t_start_s: ts[run.r0]!,
          t_end_s: ts[run.r1]!,
          subject: run.subject,
          message: `${run.subject} reported not available for ${dur.toFixed(1)} s`,
          evidence: { duration_s: round(dur, 3), rows: run.r1 - run.r0 + 1 },
          threshold: isError ? errDur : minDur,
        }),
      );
    };
    // trim INIT rows, then join runs of one channel closer than join_s and in one run of the
    // device (runs come grouped by channel, ascending)
    const gaps = gapsOf(tl, profile);
    for (const raw of runs) {
      const run = ignoreInit ? trimInit(tl, raw) : raw;
      if (run === null) continue;
      if (prev && prev.subject === run.subject && ts[run.r0]! - ts[prev.r1]! <= join_s && !restartBetween(gaps, prev.r1, run.r0)) {
        prev.r1 = run.r1;
        continue;
      }
      if (prev) emit(prev);
      prev = { ...run };
    }
    if (prev) emit(prev);
    return {
      evaluable: true,
      findings: capFindings(ID, out, profile.threshold(`${ID}.max_findings`, 'findings'), 'NA runs'),
      metrics: { channels_na: channels.size, na_cell_values: cells.naValues, na_temperature_values: temps.naValues },
    };
  },
};

/** The run without its leading and trailing INIT rows (null when nothing is left). */
function trimInit(tl: Timeline, run: NaRun): NaRun | null {
  let { r0, r1 } = run;
  while (r0 <= r1 && tl.state[r0] === BmsState.INIT) r0++;
  while (r1 >= r0 && tl.state[r1] === BmsState.INIT) r1--;
  return r0 <= r1 ? { subject: run.subject, r0, r1 } : null;
}

/** NA runs of the PACK_STATUS values (pack-level: one pass per channel over the STATUS rows). */
function packRuns(ctx: RuleContext, minDur_s: number, out: NaRun[]): void {
  const { tl } = ctx;
  const gaps = gapsOf(tl, ctx.profile);
  const ts = tl.t_s;
  const present = tl.present;
  const n = tl.length;
  // imported constants read once: under a CommonJS transform (tsx) each read is a getter call
  const STATUS = Present.STATUS;
  for (const ch of PACK) {
    const col = tl.pack[ch];
    let r0 = -1;
    let r1 = -1;
    for (let r = 0; r <= n; r++) {
      const end = r === n;
      if (!end && (present[r]! & STATUS) === 0) continue;
      if (!end && col[r]! !== col[r]!) {
        if (r0 < 0) r0 = r;
        r1 = r;
        continue;
      }
      if (r0 >= 0 && ts[r1]! - ts[r0]! >= minDur_s) {
        splitAtGaps(gaps, r0, r1, (a, b) => out.push({ subject: ch, r0: a, r1: b }));
      }
      r0 = -1;
    }
  }
}
