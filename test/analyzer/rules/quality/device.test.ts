/** quality.device: another device, firmware or set of limits part-way through a capture. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Encoder } from '../../../../protocol/encoder.ts';
import { type Decoded, type DeviceMessage, type Info, MessageType } from '../../../../protocol/messages.ts';
import { encodeRestarted, generateMessages } from '../../generate.ts';
import { analyzeBytes, analyzeGenerated, findingsOf, statusOf } from '../../harness.ts';
import { SHORT, show } from './sessions.ts';

const ID = 'quality.device';

/** The changes a capture may carry, with the finding each must give. */
const CHANGES = {
  device: { severity: 'error', change: (i: Info): Info => ({ ...i, deviceId: (i.deviceId ^ 0x5a5a5a5a) >>> 0 }) },
  pack: { severity: 'error', change: (i: Info): Info => ({ ...i, np: i.np + 1 }) },
  firmware: { severity: 'warning', change: (i: Info): Info => ({ ...i, firmwareMinor: i.firmwareMinor + 1 }) },
  limits: {
    severity: 'warning',
    change: (i: Info): Info => ({ ...i, limits: { ...i.limits, rsl: { ...i.limits.rsl, cellVoltageMax_V: i.limits.rsl.cellVoltageMax_V - 0.05 } } }),
  },
} as const;
type Kind = keyof typeof CHANGES;

/** SHORT (INFO every 5 s) with every INFO from t0_s on changed. */
function planted(kind: Kind, t0_s: number): Uint8Array {
  const enc = new Encoder();
  for (const m of generateMessages({ phases: SHORT })) {
    const out =
      m.type === MessageType.INFO && m.t_ms >= t0_s * 1000
        ? ({ ...CHANGES[kind].change(m as Decoded<Info>), seq: m.seq, t_ms: m.t_ms } as Decoded<DeviceMessage>)
        : m;
    enc.encodeWithSeq(out, m.seq, m.t_ms);
  }
  return enc.view().slice();
}

describe('quality.device', () => {
  // for all kinds of change and all times (INFO every 5 s of a 60 s session) / the INFOs from
  // then on changed / one finding of that kind and severity, from the last INFO before the change
  // to the first after it, holds
  it('should report a planted change of device, pack, firmware or limits between the two INFOs around it', () => {
    fc.assert(
      fc.property(fc.constantFrom(...(Object.keys(CHANGES) as Kind[])), fc.double({ min: 0.1, max: 55, noNaN: true }), (kind, t0) => {
        const { report } = analyzeBytes(planted(kind, t0), { checks: [ID] });
        const fs = findingsOf(report, ID);
        expect(fs, show(fs)).toHaveLength(1);
        const f = fs[0]!;
        expect(f.subject).toBe(kind === 'pack' ? 'device' : kind);
        expect(f.severity).toBe(CHANGES[kind].severity);
        expect(f.t_start_s).toBeCloseTo(Math.ceil(t0 / 5 - 1e-9) * 5 - 5, 6);
        expect(f.t_end_s).toBeCloseTo(Math.ceil(t0 / 5 - 1e-9) * 5, 6);
        if (kind === 'limits') expect(f.message).toContain('rsl.cellVoltageMax_V');
        const at = Number((Math.ceil(t0 / 5 - 1e-9) * 5).toFixed(3));
        expect(f.message).toContain(`${kind === 'device' || kind === 'pack' ? 'from' : 'at'} ${at} s`);
        if (kind === 'device' || kind === 'pack') expect(f.message).toContain(`(natrium cut CAPTURE --to ${at} / --from ${at})`);
      }),
      { numRuns: 40, seed: 2026 },
    );
  });

  // for all kinds of change and device restarts 0.5–4.5 s before the first INFO that states it /
  // the message places the change at the restart (where the checks' limits change too), holds
  it('should place a change at the device restart between the two INFOs', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...(Object.keys(CHANGES) as Kind[])),
        fc.integer({ min: 2, max: 10 }),
        fc.double({ min: 0.5, max: 4.5, noNaN: true }),
        (kind, k, before) => {
          const restart = 5 * k - before;
          const msgs = generateMessages({ phases: SHORT }).map((m) =>
            m.type === MessageType.INFO && m.t_ms >= restart * 1000
              ? ({ ...CHANGES[kind].change(m as Decoded<Info>), seq: m.seq, t_ms: m.t_ms } as Decoded<DeviceMessage>)
              : m,
          );
          const { report, builder } = analyzeBytes(encodeRestarted(msgs, [restart]), { checks: [ID] });
          const tl = builder.timeline;
          expect(tl.clockSteps).toHaveLength(1);
          expect(report.input.restarts).toBe(1);
          const fs = findingsOf(report, ID);
          expect(fs, show(fs)).toHaveLength(1);
          const at = Number(tl.t_s[tl.clockSteps[0]!.row]!.toFixed(3)); // to the ms: where natrium cut splits
          expect(fs[0]!.message).toContain(kind === 'device' || kind === 'pack' ? `from the restart at ${at} s` : `at the device restart at ${at} s`);
        },
      ),
      { numRuns: 30, seed: 5 },
    );
  });

  // a device whose INFOs state a limit as NaN (not available) throughout, and a firmware update
  // at 20 s / one firmware finding, no limit change (NaN → NaN is no change), holds
  it('should not take a limit stated as NaN in both INFOs for a change', () => {
    const nanLimit = (i: Info): Info => ({ ...i, limits: { ...i.limits, msl: { ...i.limits.msl, chargeTemperatureMin_C: NaN } } });
    const msgs = generateMessages({ phases: SHORT }).map((m) => {
      if (m.type !== MessageType.INFO) return m;
      const i = nanLimit(m as Decoded<Info>);
      return { ...(m.t_ms >= 20_000 ? CHANGES.firmware.change(i) : i), seq: m.seq, t_ms: m.t_ms } as Decoded<DeviceMessage>;
    });
    const { report } = analyzeBytes(encodeRestarted(msgs, []), { checks: [ID] });
    expect(findingsOf(report, ID).map((f) => f.subject)).toEqual(['firmware']);
  });

  it('should report only the other device when a device differs in firmware and limits too', () => {
    const enc = new Encoder();
    for (const m of generateMessages({ phases: SHORT })) {
      const all = (i: Info): Info => CHANGES.limits.change(CHANGES.firmware.change(CHANGES.device.change(i)));
      enc.encodeWithSeq(
        m.type === MessageType.INFO && m.t_ms >= 20_000 ? ({ ...all(m as Decoded<Info>), seq: m.seq, t_ms: m.t_ms } as Decoded<DeviceMessage>) : m,
        m.seq,
        m.t_ms,
      );
    }
    const { report } = analyzeBytes(enc.view().slice(), { checks: [ID] });
    expect(findingsOf(report, ID).map((f) => `${f.subject} ${f.severity}`)).toEqual(['device error']);
    expect(report.checks.find((c) => c.check === ID)?.metrics).toEqual({ device_changes: 1, firmware_changes: 0, limit_changes: 0 });
  });

  // for all seeds / clean session (its INFO the same throughout) / no finding, holds
  it('should find nothing when every INFO says the same', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), (seed) => {
        const report = analyzeGenerated({ phases: SHORT, seed }, { checks: [ID] });
        expect(statusOf(report, ID)).toBe('pass');
        expect(findingsOf(report, ID)).toEqual([]);
      }),
      { numRuns: 5 },
    );
  });

  it('should be not evaluable without an INFO', () => {
    const report = analyzeGenerated({ phases: SHORT, drop: (type) => type === MessageType.INFO }, { checks: [ID] });
    expect(statusOf(report, ID)).toBe('not_evaluable');
  });
});
