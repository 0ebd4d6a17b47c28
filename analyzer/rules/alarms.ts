/**
 * The device's alarms as episodes: each EVENT raised, paired with the EVENT that cleared it (same
 * code, tier and index). A device restart (Timeline.clockSteps) ends every alarm still raised:
 * the firmware starts again with none and raises anew what is still wrong (PROTOCOL.md section 6
 * on resets), so an alarm raised before a restart never stands for the data after it. An alarm
 * neither cleared nor ended by a restart lasts to the end of the data.
 */
import { FAULT_UNITS, FaultCode } from '../../protocol/messages.ts';
import type { TimedEvent, Timeline } from '../timeline/store.ts';

/**
 * The unit of an EVENT's value and threshold as the report writes units: PROTOCOL.md section
 * 12.3's unit of the code ('°C' for a temperature, 'K' for the temperature spread, a difference
 * of two), '' for a count or a code this reader does not know.
 */
export function faultUnit(code: number): string {
  if (code === FaultCode.TEMPERATURE_SPREAD) return 'K';
  const u = (FAULT_UNITS as Readonly<Record<number, string>>)[code] ?? '';
  return u === 'C' ? '°C' : u;
}

export interface AlarmEpisode {
  /** The EVENT that raised it. */
  raise: TimedEvent;
  t_start_s: number;
  /** When it was cleared, the device restarted, or the data ended. */
  t_end_s: number;
  end: 'cleared' | 'restart' | 'open';
}

/**
 * Episodes of the alarms whose EVENTs `keep` accepts, in the order they ended (those open at
 * the end last, in the order they were raised). `end_s`: the end of the data.
 */
export function alarmEpisodes(tl: Timeline, keep: (e: TimedEvent) => boolean, end_s: number): AlarmEpisode[] {
  const out: AlarmEpisode[] = [];
  const open = new Map<string, TimedEvent>();
  const steps = tl.clockSteps;
  let k = 0;
  // a step's t_s is the last row before the restart; every frame after it is later
  const restartsUpTo = (t: number): void => {
    for (; k < steps.length && steps[k]!.t_s < t; k++) {
      const at = steps[k]!.t_s;
      for (const raise of open.values()) out.push({ raise, t_start_s: raise.t_s, t_end_s: Math.max(raise.t_s, at), end: 'restart' });
      open.clear();
    }
  };
  for (const e of tl.events) {
    if (!keep(e)) continue;
    restartsUpTo(e.t_s);
    const key = `${e.code}/${e.tier}/${e.index}`;
    if (e.raised) {
      if (!open.has(key)) open.set(key, e);
    } else {
      const raise = open.get(key);
      if (raise !== undefined) {
        out.push({ raise, t_start_s: raise.t_s, t_end_s: e.t_s, end: 'cleared' });
        open.delete(key);
      }
    }
  }
  restartsUpTo(Infinity);
  for (const raise of open.values()) out.push({ raise, t_start_s: raise.t_s, t_end_s: Math.max(raise.t_s, end_s), end: 'open' });
  return out;
}
