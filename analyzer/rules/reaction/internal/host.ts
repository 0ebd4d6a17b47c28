/**
 * The host as the device's own answers show it, for reaction.false_alarms' HOST_COMM_LOSS.
 */
import { NackReason } from '../../../../protocol/messages.ts';
import { round } from '../../../findings.ts';
import type { TimedAnswer, TimedEvent, Timeline } from '../../../timeline/store.ts';

/**
 * HOST_COMM_LOSS: how long the host had been silent when the device raised it, as the capture
 * shows it: from the last valid command the device answered, in the same device run, to the
 * EVENT. The device answers every command frame it receives intact (PROTOCOL.md §9.7) and its
 * watchdog counts from the last valid one (§11.3): a NACK MALFORMED or UNKNOWN_COMMAND answers a
 * command that did not decode, and an answer repeated for a duplicate (the previous answer's
 * command seq and type again) answers nothing new; neither ends the silence. An answer lost on
 * the link makes the silence look longer, never shorter: only answers that are there can make an
 * alarm false. With no answer before the EVENT in its run, the silence is at least the time from
 * the run's first frame (the host's last command may be before the capture): that bound matches
 * the alarm when it reaches `limit`, else the alarm is not judged; with no answer in the whole
 * capture, the host's commands are not on this link (a scenario's own host, another bus).
 */
export function hostSilence(tl: Timeline, e: TimedEvent, limit: number): { value: number; subject: string; why?: string } {
  const subject = 'host';
  if (tl.answers.length === 0) return { value: NaN, subject, why: 'no command answers (ACK, NACK) in the capture: the host’s commands are not on this link' };
  const run = tl.runAt(e.t_s);
  let last = -Infinity;
  let prev: TimedAnswer | null = null;
  for (const a of tl.answers) {
    const repeat = prev !== null && a.commandSeq === prev.commandSeq && a.commandType === prev.commandType;
    prev = a;
    if (repeat || a.t_s > e.t_s || a.t_s <= last) continue;
    if (!a.ack && (a.reason === NackReason.MALFORMED || a.reason === NackReason.UNKNOWN_COMMAND)) continue;
    if (tl.runAt(a.t_s) === run) last = a.t_s;
  }
  if (last > -Infinity) return { value: e.t_s - last, subject };
  const start = run === 0 ? (tl.length > 0 ? tl.t_s[0]! : e.t_s) : tl.clockSteps[run - 1]!.t_s;
  const bound = e.t_s - start;
  if (bound >= limit) return { value: bound, subject };
  return {
    value: NaN,
    subject,
    why: `no command answered in the ${round(bound, 2)} s of this device run before it (the host’s last command may be earlier)`,
  };
}
