/**
 * quality.device — one device, one pack and one set of limits through the capture (its INFOs).
 *
 * Why: every other check judges the whole capture as one device: the pack its last INFO
 * describes (chemistry, ns × np, cell capacity, sensors; the report's `input.device`). A capture
 * that holds two devices (a logger moved to another pack, two files joined into one) mixes two
 * packs in every pack-level figure; firmware updated, or limits changed, part-way through change
 * what the BMS had to do before and after (the checks judge each row by the MOL / RSL / MSL
 * limits in force at it: envelope/internal/limits.ts limitEpochs).
 *
 * Findings, at each INFO that says otherwise than the one before (the time range runs from that
 * one to it; the change happened between them):
 * - another device: the device id, the simulator flag or the pack (chemistry, ns, np, cell
 *   capacity, cell-voltage, temperature or current sensors) changed: an error ("analyse the parts
 *   apart", with the `natrium cut` options that split the capture there);
 * - the firmware version changed: a warning;
 * - limits changed: a warning naming each one (tier.field old → new); the checks that use the
 *   limits judge the rows before and after by the limits in force there.
 * Each message says where the change took effect: at the device's restart between the two INFOs
 * (new firmware or a new configuration starts with a reset; two devices' clocks differ), else at
 * the INFO that states it — where the limits of the other checks change too — to the ms (the
 * device clock's unit: the time `natrium cut` splits at). At most
 * `max_findings`.
 *
 * Not evaluable: no INFO received.
 */
import type { Info, TierLimits } from '../../../protocol/messages.ts';
import { type Finding, finding } from '../../findings.ts';
import { type Rule, type RuleContext, type RuleOutcome, notEvaluable } from '../rule.ts';
import { capFindings } from '../cap.ts';
import { changeRow } from '../envelope/internal/limits.ts';

const ID = 'quality.device';

/** INFO fields that say which device and pack this is. */
const IDENTITY = ['deviceId', 'chemistry', 'ns', 'np', 'cellCapacity_Ah', 'cellVoltageSensors', 'temperatureSensors', 'currentSensors'] as const;
const TIERS = ['mol', 'rsl', 'msl'] as const;
/** Changed limits named in one finding's message (all of them are in its evidence). */
const LIMITS_LISTED = 4;

const hex = (id: number): string => `0x${id.toString(16).padStart(8, '0')}`;
const firmware = (i: Info): string => `${i.firmwareMajor}.${i.firmwareMinor}.${i.firmwarePatch}`;
const simulator = (i: Info): boolean => (i.flags & 1) !== 0;
const device = (i: Info): string => `${hex(i.deviceId)} (${i.chemistry}, ${i.ns}s${i.np}p × ${i.cellCapacity_Ah} Ah${simulator(i) ? ', simulator' : ''})`;

export const deviceRule: Rule = {
  id: ID,
  group: 'quality',
  title: 'One device, pack and set of limits through the capture',
  evaluate(ctx: RuleContext): RuleOutcome {
    const { tl, profile } = ctx;
    if (tl.infos.length === 0) return notEvaluable('no INFO received: the device and its limits are unknown');
    const max = profile.threshold(`${ID}.max_findings`, 'findings');
    const source = { value: null, unit: '', source: 'device INFO (PROTOCOL.md section 8): the checks judge one device, the pack of its last INFO' };
    const out: Finding[] = [];
    const count = { device_changes: 0, firmware_changes: 0, limit_changes: 0 };
    for (let k = 1; k < tl.infos.length; k++) {
      const a = tl.infos[k - 1]!;
      const b = tl.infos[k]!;
      if (a.info === b.info) continue; // the assembler shares the object of an INFO that repeats the last
      const x = a.info;
      const y = b.info;
      const at = { t_start_s: a.t_s, t_end_s: b.t_s };
      // where it took effect: at the device's restart between the two INFOs, if it restarted
      const r0 = changeRow(tl, tl.rowAt(a.t_s), tl.rowAt(b.t_s));
      const restarted = r0 < tl.length && r0 !== tl.rowAt(b.t_s);
      // to the ms of the device clock: where `natrium cut` splits the capture
      const t_s = Number((restarted ? tl.t_s[r0]! : b.t_s).toFixed(3));
      const when = restarted ? `at the device restart at ${t_s} s` : `at ${t_s} s`;
      const changed = IDENTITY.filter((f) => x[f] !== y[f]);
      if (changed.length > 0 || simulator(x) !== simulator(y)) {
        count.device_changes++;
        out.push(
          finding({
            check: ID,
            severity: 'error',
            ...at,
            subject: 'device',
            message:
              `another device ${restarted ? `from the restart at ${t_s} s` : `from ${t_s} s`}: ${device(x)} before, ${device(y)} after; ` +
              `the checks mix the two: analyse the parts apart (natrium cut CAPTURE --to ${t_s} / --from ${t_s})`,
            evidence: { from: hex(x.deviceId), to: hex(y.deviceId), changed: [...changed, ...(simulator(x) !== simulator(y) ? ['simulator'] : [])].join(',') },
            threshold: source,
          }),
        );
        continue; // another device: its firmware and limits are its own
      }
      if (firmware(x) !== firmware(y)) {
        count.firmware_changes++;
        out.push(
          finding({
            check: ID,
            severity: 'warning',
            ...at,
            subject: 'firmware',
            message: `firmware ${firmware(x)} → ${firmware(y)} ${when} (an update during the capture: the reactions before and after are of different firmware)`,
            evidence: { from: firmware(x), to: firmware(y) },
            threshold: source,
          }),
        );
      }
      const limits = limitChanges(x.limits, y.limits);
      if (limits.length > 0) {
        count.limit_changes++;
        const listed = limits.slice(0, LIMITS_LISTED).join(', ');
        out.push(
          finding({
            check: ID,
            severity: 'warning',
            ...at,
            subject: 'limits',
            message: `${limits.length} device limit${limits.length === 1 ? '' : 's'} changed ${when}: ${listed}${limits.length > LIMITS_LISTED ? ', …' : ''}; the checks judge the rows before and after by the limits in force there`,
            evidence: { changed: limits.join('; ') },
            threshold: source,
          }),
        );
      }
    }
    return { evaluable: true, findings: capFindings(ID, out, max, 'device changes'), metrics: count };
  },
};

/** "rsl.cellVoltageMax_V 4.05 → 4" for each limit that differs. */
function limitChanges(a: Info['limits'], b: Info['limits']): string[] {
  const out: string[] = [];
  for (const tier of TIERS) {
    for (const f of Object.keys(a[tier]) as (keyof TierLimits)[]) {
      if (!Object.is(a[tier][f], b[tier][f])) out.push(`${tier}.${f} ${a[tier][f]} → ${b[tier][f]}`);
    }
  }
  return out;
}
