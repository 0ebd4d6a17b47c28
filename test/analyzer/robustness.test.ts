/**
 * The analyser on damaged telemetry: generated sessions whose values go wild (NaN readings,
 * readings far out of range, random states, contactors, masks and EVENTs), sent through seeded
 * link faults, with device restarts and INFO limits changed part-way (to any values: NaN,
 * infinite, negative, upside down), cut at a random byte and fed in random chunks. No check may
 * break ("internal error" would turn it into "not evaluable" silently), every finding is well
 * formed and inside the capture, and the report does not depend on how the bytes were chunked.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AnalyzeOptions, type Report, analyze } from '../../analyzer/analyze.ts';
import { LiveAnalyzer } from '../../analyzer/live.ts';
import { builtInProfile } from '../../analyzer/profile.ts';
import { TimelineBuilder } from '../../analyzer/timeline/ingest.ts';
import { LinkFaults } from '../../protocol/linkfaults.ts';
import { BmsState, type FaultTier, type TierLimits } from '../../protocol/messages.ts';
import { CHEMISTRY, type Phase, type Tick, encodeRestarted, generateMessages, infoFor, withLimitsFrom } from './generate.ts';

interface Damage {
  seed: number;
  ns: number;
  nt: number;
  rate_Hz: number;
  truth: boolean;
  simulator: boolean;
  phases: Phase[];
  /** Per tick: what goes wrong (index into WILD), applied when the tick's k % every === at. */
  wild: { every: number; at: number; kind: number }[];
  restarts_s: number[];
  /** From each at_s on, the INFOs state the limits with these edits. */
  limits: { at_s: number; edits: { tier: 'mol' | 'rsl' | 'msl'; key: keyof TierLimits; value: number }[] }[];
  link: { dropFrame: number; corruptFrame: number; duplicateFrame: number; dropByte: number; corruptByte: number; duplicateByte: number };
  /** Cut the capture at this share of its length (1 = whole). */
  cut: number;
  chunks: number[];
}

const STATES = Object.values(BmsState);

/** The ways a tick's values go wrong. */
const WILD: ((t: Tick, r: number) => void)[] = [
  (t) => t.cellVoltage_V.fill(NaN),
  (t, r) => (t.cellVoltage_V[Math.floor(r * t.cellVoltage_V.length)] = NaN),
  (t, r) => (t.cellVoltage_V[Math.floor(r * t.cellVoltage_V.length)] = r < 0.5 ? 0 : 60),
  (t) => t.temperature_C.fill(NaN),
  (t, r) => (t.temperature_C[Math.floor(r * t.temperature_C.length)] = r < 0.5 ? -40 : 300),
  (t, r) => (t.current_A = (r - 0.5) * 4000),
  (t) => (t.current_A = NaN),
  (t) => (t.soc = NaN),
  (t, r) => (t.soc = r * 3 - 1),
  (t, r) => (t.state = STATES[Math.floor(r * STATES.length)]!),
  (t, r) => (t.contactors = { pos: r < 0.5, neg: r < 0.7, pre: r > 0.8 }),
  (t, r) => ((t.faultMask = Math.floor(r * 0xffff)), (t.warningMask = Math.floor(r * 0x7fff))),
  (t, r) => ((t.chargeLimit_A = r * 10), (t.dischargeLimit_A = -r * 10)),
  (t) => (t.packVoltage_V = NaN),
  (t, r) => (t.packVoltage_V = r * 1000),
  (t, r) =>
    t.events.push({
      code: Math.floor(r * 24),
      tier: (Math.floor(r * 7) % 3) as FaultTier,
      raised: Math.floor(r * 1000) % 2 === 0,
      index: (Math.floor(r * 100) % (t.cellVoltage_V.length + 2)) - 1,
      value: r * 10,
      threshold: r * 5,
    }),
  (t, r) => t.balancing.fill(r < 0.5 ? 1 : 0),
  (t) => (t.soh = NaN),
  (t, r) => (t.trueSoc[Math.floor(r * t.trueSoc.length)] = r < 0.5 ? NaN : 2),
];

const phase = fc.record({
  current_A: fc.double({ min: -400, max: 200, noNaN: true }),
  duration_s: fc.integer({ min: 1, max: 120 }),
  state: fc.constantFrom<Phase['state']>('STANDBY', 'NORMAL', 'CHARGE'),
});

const damage: fc.Arbitrary<Damage> = fc.record({
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  ns: fc.integer({ min: 1, max: 8 }),
  nt: fc.integer({ min: 0, max: 4 }),
  rate_Hz: fc.constantFrom(1, 2, 10),
  truth: fc.boolean(),
  simulator: fc.boolean(),
  phases: fc.array(phase, { minLength: 1, maxLength: 5 }),
  wild: fc.array(fc.record({ every: fc.integer({ min: 1, max: 200 }), at: fc.nat(199), kind: fc.nat(WILD.length - 1) }), { maxLength: 4 }),
  restarts_s: fc.uniqueArray(fc.integer({ min: 1, max: 500 }), { maxLength: 3 }).map((a) => a.sort((x, y) => x - y)),
  limits: fc.array(
    fc.record({
      at_s: fc.integer({ min: 0, max: 500 }),
      edits: fc.array(
        fc.record({
          tier: fc.constantFrom<'mol' | 'rsl' | 'msl'>('mol', 'rsl', 'msl'),
          key: fc.constantFrom(...(Object.keys(infoFor(1, 1, 0).limits.mol) as (keyof TierLimits)[])),
          value: fc.oneof(fc.constantFrom(NaN, Infinity, -Infinity, 0, -1), fc.double({ min: -100, max: 1000, noNaN: true })),
        }),
        { maxLength: 6 },
      ),
    }),
    { maxLength: 2 },
  ),
  link: fc.record({
    dropFrame: fc.constantFrom(0, 0.001, 0.05),
    corruptFrame: fc.constantFrom(0, 0.001, 0.05),
    duplicateFrame: fc.constantFrom(0, 0.01),
    dropByte: fc.constantFrom(0, 1e-4),
    corruptByte: fc.constantFrom(0, 1e-4),
    duplicateByte: fc.constantFrom(0, 1e-4),
  }),
  cut: fc.oneof(fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true })),
  chunks: fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 8 }),
});

/** The damaged capture's bytes. */
function capture(d: Damage): Uint8Array {
  let msgs = generateMessages({
    seed: d.seed,
    ns: d.ns,
    nt: d.nt,
    rate_Hz: d.rate_Hz,
    truth: d.truth,
    simulator: d.simulator,
    phases: d.phases,
    mutate: (t) => {
      for (const w of d.wild) if (t.k % w.every === w.at % w.every) WILD[w.kind]!(t, ((t.k * 2654435761) >>> 0) / 2 ** 32);
    },
  });
  for (const c of [...d.limits].sort((x, y) => x.at_s - y.at_s)) {
    const l = infoFor(d.ns, 2, d.nt).limits;
    for (const e of c.edits) l[e.tier] = { ...l[e.tier], [e.key]: e.value };
    msgs = withLimitsFrom(msgs, c.at_s, l);
  }
  const out = encodeRestarted(msgs, d.restarts_s, new LinkFaults(d.link, d.seed));
  return out.subarray(0, Math.floor(out.length * d.cut));
}

const OPTIONS = (): AnalyzeOptions => ({
  profile: builtInProfile('default'),
  chemistry: (name) => (name === CHEMISTRY.name ? CHEMISTRY : null),
  today: '2026-12-03',
});

function analyzeIn(bytes: Uint8Array, chunks: readonly number[]): Report {
  const b = new TimelineBuilder();
  let p = 0;
  for (let k = 0; p < bytes.length; k++) {
    const n = chunks[k % chunks.length]!;
    b.push(bytes.subarray(p, p + n));
    p += n;
  }
  b.finish();
  return analyze(
    {
      timeline: b.timeline,
      counters: b.counters,
      lateFrames: b.assembler.lateFrames,
      seqLost: b.assembler.seqLost,
      meta: { name: 'damaged', kind: 'capture', bytes: bytes.length },
    },
    OPTIONS(),
  );
}

const NO_FAULTS: Damage['link'] = { dropFrame: 0, corruptFrame: 0, duplicateFrame: 0, dropByte: 0, corruptByte: 0, duplicateByte: 0 };
const TINY: Omit<Damage, 'wild'> = {
  seed: 0,
  ns: 1,
  nt: 0,
  rate_Hz: 1,
  truth: false,
  simulator: false,
  phases: [{ current_A: 0, duration_s: 2, state: 'STANDBY' }],
  restarts_s: [],
  limits: [],
  link: NO_FAULTS,
  cut: 1,
  chunks: [1],
};
/** Cases these properties once found (each failed before its fix). */
const EXAMPLES: Damage[] = [
  // a thermal.spread hotspot ended at its last bin's centre, half a bin past the capture's end
  { ...TINY, nt: 2, rate_Hz: 2, truth: true, simulator: true, wild: [{ every: 1, at: 0, kind: 4 }], restarts_s: [1] },
  // soc.estimator's RMS and convergence findings both had the id soc.estimator/pack/0
  { ...TINY, rate_Hz: 2, truth: true, simulator: true, phases: [{ current_A: 0, duration_s: 1, state: 'STANDBY' }], wild: [{ every: 1, at: 0, kind: 8 }] },
  // an alarm raised twice in one tick was two false alarms with one id
  {
    ...TINY,
    wild: [
      { every: 1, at: 0, kind: 15 },
      { every: 1, at: 0, kind: 15 },
    ],
  },
  // live: a check's cached scan of the last row, made before the row's CELL_VOLTAGES came
  { ...TINY, phases: [{ current_A: 0, duration_s: 1, state: 'STANDBY' }], wild: [] },
];

describe('analyzer on damaged telemetry', () => {
  it('should never break a check, keep every finding inside the capture, and not depend on chunking', () => {
    fc.assert(
      fc.property(damage, (d) => {
        const bytes = capture(d);
        const whole = analyzeIn(bytes, [bytes.length + 1]);
        const broken = whole.checks.filter((c) => c.reason?.startsWith('internal error'));
        expect(broken.map((c) => `${c.check}: ${c.reason}`)).toEqual([]);
        const duration = whole.input.duration_s;
        const ids = new Set<string>();
        for (const f of whole.findings) {
          expect(Number.isFinite(f.t_start_s) && Number.isFinite(f.t_end_s), `${f.id} times`).toBe(true);
          expect(f.t_start_s, f.id).toBeGreaterThanOrEqual(0);
          expect(f.t_start_s, f.id).toBeLessThanOrEqual(f.t_end_s);
          expect(f.t_end_s, f.id).toBeLessThanOrEqual(duration + 1e-3);
          expect(['info', 'warning', 'error']).toContain(f.severity);
          expect(f.message.length, f.id).toBeGreaterThan(0);
          expect(ids.has(f.id), `duplicate id ${f.id}`).toBe(false);
          ids.add(f.id);
          if (f.threshold !== null) expect(f.threshold.source.length, f.id).toBeGreaterThan(0);
        }
        const json = JSON.stringify(whole);
        expect(JSON.stringify(analyzeIn(bytes, d.chunks))).toBe(json);
        // live: the checks run again and again on the growing timeline (their caches with it)
        let clock = 0;
        const live = new LiveAnalyzer({ name: 'damaged', kind: 'capture', bytes: 0 }, { ...OPTIONS(), minInterval_ms: 0, now: () => (clock += 1000) });
        const seen = new Set<string>();
        for (let p = 0, k = 0; p < bytes.length; k++) {
          const n = d.chunks[k % d.chunks.length]! * 40;
          live.push(bytes.subarray(p, p + n));
          p += n;
          for (const f of live.poll()) seen.add(f.id);
        }
        const fin = live.finish();
        for (const f of fin.fresh) seen.add(f.id);
        expect(JSON.stringify({ ...fin.report, input: { ...fin.report.input, bytes: bytes.length } })).toBe(json);
      }),
      { numRuns: 100, seed: 2026, examples: EXAMPLES.map((d) => [d]) },
    );
  }, 120_000);
});
