/**
 * The limits in force row by row (envelope/internal/limits.ts limitEpochs): a capture whose INFOs
 * change their limits part-way is judged, before and after, by the set in force there.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Encoder } from '../../../../protocol/encoder.ts';
import { type Decoded, type DeviceMessage, type Info, type TierLimits } from '../../../../protocol/messages.ts';
import { encodeRestarted, generateMessages, type Tick, withLimitsFrom } from '../../generate.ts';
import { analyzeBytes, findingsOf } from '../../harness.ts';
import { DISCHARGE, LIMITS, SHORT, near, rowSpan, show } from './sessions.ts';

type Tiers = Info['limits'];

/** The new limits: each quantity's RSL and MSL maximum brought down to between the old MOL and RSL. */
function lowered(l: Tiers): Tiers {
  const down = (t: TierLimits, mol: TierLimits): TierLimits => ({
    ...t,
    cellVoltageMax_V: mol.cellVoltageMax_V + (t.cellVoltageMax_V - mol.cellVoltageMax_V) / 4,
    dischargeCurrentMax_A: mol.dischargeCurrentMax_A + (t.dischargeCurrentMax_A - mol.dischargeCurrentMax_A) / 4,
    dischargeTemperatureMax_C: mol.dischargeTemperatureMax_C + (t.dischargeTemperatureMax_C - mol.dischargeTemperatureMax_C) / 4,
  });
  return { mol: l.mol, rsl: down(l.rsl, l.mol), msl: down(l.msl, l.mol) };
}
const NEW = lowered(LIMITS);

/** Each quantity: its check, the subject of its finding, its limit and how to plant a value. */
const QUANTITIES = {
  cell_voltage: {
    check: 'envelope.cell_voltage',
    subject: 'cell 5',
    key: 'cellVoltageMax_V',
    plant: (k: Tick, v: number) => void (k.cellVoltage_V[5] = v),
  },
  current: {
    check: 'envelope.current',
    subject: 'pack',
    key: 'dischargeCurrentMax_A',
    plant: (k: Tick, v: number) => void (k.current_A = -v),
  },
  temperature: {
    check: 'envelope.temperature',
    subject: 'sensor 2',
    key: 'dischargeTemperatureMax_C',
    plant: (k: Tick, v: number) => void (k.temperature_C[2] = v),
  },
} as const;
type Quantity = keyof typeof QUANTITIES;

/** A value beyond the MOL and the new RSL, but neither the old RSL nor the new MSL. */
function valueOf(q: Quantity): number {
  const key = QUANTITIES[q].key;
  return LIMITS.mol[key] + 0.4 * (LIMITS.rsl[key] - LIMITS.mol[key]);
}

/** SHORT with an exceedance planted over [t0, t1) and every INFO from `change_s` on carrying NEW. */
function messages(q: Quantity, t0: number, t1: number, change_s: number): Decoded<DeviceMessage>[] {
  const p = QUANTITIES[q];
  return withLimitsFrom(generateMessages({ phases: SHORT, mutate: (k) => void (k.t_s >= t0 && k.t_s < t1 && p.plant(k, valueOf(q))) }), change_s, NEW);
}

function encode(msgs: readonly Decoded<DeviceMessage>[]): Uint8Array {
  const enc = new Encoder();
  for (const m of msgs) enc.encodeWithSeq(m, m.seq, m.t_ms);
  return enc.view().slice();
}

describe('limits in force row by row', () => {
  // for all quantities, INFOs (every 5 s) from which the limits change, and exceedances of 3.5–5 s
  // wholly before or wholly after that INFO / one finding: before, at the old MOL (info, the old
  // limit "in force from 0 s"); after, at the new RSL (warning, "in force from" that INFO); and
  // reaction.limits judges the BMS's reaction (it had none: an error) only after, holds
  it('should judge the rows before a change of limits by the old set and the rows after by the new', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...(Object.keys(QUANTITIES) as Quantity[])),
        fc.integer({ min: 3, max: 9 }),
        fc.boolean(),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 3.5, max: 5, noNaN: true }), // the temperature episodes count from 3 s
        (q, k, after, frac, d) => {
          const change = 5 * k; // the first INFO with the new limits
          const [lo, hi] = after ? [change, DISCHARGE.to - d] : [DISCHARGE.from, change - d - 0.2];
          const t0 = lo + frac * (hi - lo);
          const p = QUANTITIES[q];
          const { report } = analyzeBytes(encode(messages(q, t0, t0 + d, change - 2.5)), { checks: [p.check, 'reaction.limits'] });
          const fs = findingsOf(report, p.check);
          expect(fs, show(fs)).toHaveLength(1);
          const f = fs[0]!;
          const span = rowSpan(t0, t0 + d);
          expect(f.subject).toBe(p.subject);
          expect(near(f.t_start_s, span.first, 0.1) && near(f.t_end_s, span.last, 0.1), `${f.t_start_s}–${f.t_end_s} vs ${span.first}–${span.last}`).toBe(true);
          if (after) {
            expect(f.severity).toBe('warning');
            expect(f.threshold).toEqual({ value: NEW.rsl[p.key], unit: f.threshold!.unit, source: `device INFO RSL, in force from ${change} s` });
            expect(findingsOf(report, 'reaction.limits').filter((r) => r.severity === 'error').length).toBeGreaterThan(0);
          } else {
            expect(f.severity).toBe('info');
            expect(f.threshold).toEqual({ value: LIMITS.mol[p.key], unit: f.threshold!.unit, source: 'device INFO MOL, in force from 0 s' });
            expect(findingsOf(report, 'reaction.limits')).toEqual([]);
          }
        },
      ),
      { numRuns: 30, seed: 8 },
    );
  });

  // the device restarts (new firmware) part-way through an INFO period: the new limits hold from
  // the restart, not only from the first INFO after it
  it('should start the new limits at the restart between the two INFOs', () => {
    // restart at 30.3 s of the first run's clock; the first INFO after it at 35 s (4.7 s of the
    // new clock); the exceedance from 31 s to 34 s, in between
    const restart = 30.3;
    const bytes = encodeRestarted(messages('cell_voltage', 31, 34, restart), [restart]);
    const { report, builder } = analyzeBytes(bytes, { checks: ['envelope.cell_voltage'] });
    const tl = builder.timeline;
    expect(tl.clockSteps).toHaveLength(1);
    const from = tl.t_s[tl.clockSteps[0]!.row]!;
    const fs = findingsOf(report, 'envelope.cell_voltage');
    expect(fs, show(fs)).toHaveLength(1);
    expect(fs[0]!.severity).toBe('warning');
    expect(fs[0]!.threshold?.source).toBe(`device INFO RSL, in force from ${Math.round(from * 10) / 10} s`);
  });

  // for all quantities / INFOs that never change / the threshold names no epoch, as before
  it('should name no epoch when the limits never change', () => {
    for (const q of Object.keys(QUANTITIES) as Quantity[]) {
      const p = QUANTITIES[q];
      const { report } = analyzeBytes(encode(messages(q, 20, 24, Infinity)), { checks: [p.check] });
      const fs = findingsOf(report, p.check);
      expect(fs, show(fs)).toHaveLength(1);
      expect(fs[0]!.threshold?.source).toBe('device INFO MOL');
    }
  });
});
