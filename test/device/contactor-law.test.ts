/**
 * PROTOCOL.md §8, "Contactors and state": on every PACK_STATUS frame the contactor bits agree
 * with the state (INIT, STANDBY, ERROR: all open; PRECHARGE: main− and precharge closed;
 * NORMAL, CHARGE: both mains closed, precharge open), and every STANDBY → NORMAL / CHARGE shows
 * PRECHARGE for at least the time its contactors and the DC link take. A property over whole
 * sessions with the real emulated device (the BMS emulator behind an EmulatedDevice, decoded as
 * a host decodes it), its pack stepped at 1 s like the default scenario, PACK_STATUS at 100 Hz
 * so that every BMS tick is on the wire: state requests, resets, injected and removed faults,
 * and waits of any length in between.
 */
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ScenarioModel } from '../../device/model.ts';
import { Decoder } from '../../protocol/decoder.ts';
import { EmulatedDevice } from '../../protocol/device.ts';
import { Encoder } from '../../protocol/encoder.ts';
import { BMS_STATE_NAMES, BmsState, FaultCode, MessageType, type Command, type PackStatus } from '../../protocol/messages.ts';
import { PERIODIC_TYPES } from '../../protocol/session.ts';
import { loadScenario } from '../../sim/node/load.ts';

const FIXTURE = fileURLToPath(new URL('fixtures/rest-8s1p-1s.json', import.meta.url));
const TICK_MS = 10;
const MAX_HZ = 100;

type Frame = Pick<PackStatus, 'state' | 'mainPositiveClosed' | 'mainNegativeClosed' | 'prechargeClosed' | 'faultMask'> & { t_ms: number };

const DOC = fileURLToPath(new URL('../../protocol/PROTOCOL.md', import.meta.url));

/** The contactor table of PROTOCOL.md §8: per state, each bit open, closed, or null (either). */
function contactorTable(doc = readFileSync(DOC, 'utf8')): Map<number, (boolean | null)[]> {
  const at = doc.indexOf('<!-- contactor table');
  if (at < 0) throw new Error('PROTOCOL.md: contactor table not found');
  const out = new Map<number, (boolean | null)[]>();
  for (const line of doc.slice(at).split('\n').slice(1)) {
    if (out.size > 0 && !line.startsWith('|')) break;
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    if (cells.length !== 4 || cells[0] === 'state' || cells[0]!.startsWith('---')) continue;
    const bits = cells.slice(1).map((c) => (c === 'open' ? false : c === 'closed' ? true : c === 'open or closed' ? null : undefined));
    if (bits.includes(undefined)) throw new Error(`PROTOCOL.md contactor table: "${line}"`);
    for (const name of cells[0]!.split(',').map((x) => x.trim())) {
      const st = BMS_STATE_NAMES.indexOf(name);
      if (st < 0) throw new Error(`PROTOCOL.md contactor table: unknown state "${name}"`);
      out.set(st, bits as (boolean | null)[]);
    }
  }
  return out;
}

const LAW = contactorTable();

function violation(f: Frame): string | null {
  const law = LAW.get(f.state)!;
  const bits = [f.mainPositiveClosed, f.mainNegativeClosed, f.prechargeClosed];
  if (law.every((want, k) => want === null || bits[k] === want)) return null;
  return `${f.t_ms} ms: ${BMS_STATE_NAMES[f.state]} with main+ ${+bits[0]!}, main− ${+bits[1]!}, precharge ${+bits[2]!}`;
}

class Session {
  readonly model = new ScenarioModel(loadScenario(FIXTURE));
  readonly device: EmulatedDevice;
  readonly frames: Frame[] = [];
  private readonly enc = new Encoder();
  constructor() {
    const dec = new Decoder({
      onMessage: (m) => {
        if (m.type !== MessageType.PACK_STATUS) return;
        const { state, mainPositiveClosed, mainNegativeClosed, prechargeClosed, faultMask } = m;
        this.frames.push({ t_ms: m.t_ms, state, mainPositiveClosed, mainNegativeClosed, prechargeClosed, faultMask });
      },
    });
    const rates = Object.fromEntries(PERIODIC_TYPES.map((t) => [t, t === MessageType.PACK_STATUS ? MAX_HZ : 0]));
    this.device = new EmulatedDevice(this.model, (b) => dec.push(b), { baudRate: 2_000_000, rates });
  }
  send(c: Command): void {
    this.enc.encode(c, this.device.time_ms);
    this.device.receive(this.enc.take());
  }
  run(ms: number): void {
    this.device.advanceTo(this.device.time_ms + ms);
  }
}

/**
 * The shortest PRECHARGE on the wire from a discharged DC link: main+ closing and precharge
 * opening (operate time each) after the link has charged to the threshold through the precharge
 * resistor, less a tick. A link still charged from a precharge just before takes less.
 */
function minPrecharge_ms(m: ScenarioModel): number {
  const c = m.bms.config;
  const tau_ms = c.plant.precharge_ohm * c.plant.dc_link_F * 1000;
  const charge_ms = Math.floor((tau_ms * Math.log(100 / c.precharge.voltage_threshold_pct)) / TICK_MS) * TICK_MS; // the DC link steps on the tick grid
  return 2 * c.contactors.operate_ms + charge_ms - TICK_MS;
}

/** Every STANDBY → NORMAL / CHARGE on the wire goes through PRECHARGE for at least `min_ms`; returns how many there were. */
function expectPrechargeSeen(frames: readonly Frame[], min_ms: number): number {
  let n = 0;
  let standbyAt = -1;
  let prechargeFrom = -1;
  for (let i = 0; i < frames.length; i++) {
    const f = frames[i]!;
    const prev = i > 0 ? frames[i - 1]!.state : -1;
    if (f.state === BmsState.PRECHARGE && prev !== BmsState.PRECHARGE) prechargeFrom = f.t_ms;
    if ((f.state === BmsState.NORMAL || f.state === BmsState.CHARGE) && prev !== f.state && prev !== -1) {
      expect(BMS_STATE_NAMES[prev], `${f.t_ms} ms: ${BMS_STATE_NAMES[f.state]} entered from`).toBe('PRECHARGE');
      expect(f.t_ms - prechargeFrom, `PRECHARGE before ${f.t_ms} ms`).toBeGreaterThanOrEqual(min_ms);
      if (standbyAt >= 0) n++;
    }
    if (f.state === BmsState.STANDBY) standbyAt = f.t_ms;
  }
  return n;
}

type Step =
  | { kind: 'state'; to: 'STANDBY' | 'NORMAL' | 'CHARGE'; wait_ms: number }
  | { kind: 'reset'; wait_ms: number }
  | { kind: 'fault'; code: number; index: number; active: boolean; wait_ms: number };

const wait = fc.integer({ min: 0, max: 400 }).map((k) => k * TICK_MS);
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('state' as const), to: fc.constantFrom('STANDBY', 'NORMAL', 'CHARGE'), wait_ms: wait }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('reset' as const), wait_ms: wait }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('fault' as const),
      code: fc.constantFrom(FaultCode.HOST_COMM_LOSS, FaultCode.OPEN_SENSE_WIRE, FaultCode.CURRENT_PLAUSIBILITY),
      index: fc.integer({ min: 0, max: 7 }),
      active: fc.boolean(),
      wait_ms: wait,
    }),
  },
);

function play(steps: readonly Step[]): Session {
  const s = new Session();
  s.run(1000);
  for (const st of steps) {
    if (st.kind === 'state') s.send({ type: MessageType.CMD_SET_STATE, state: BmsState[st.to] });
    else if (st.kind === 'reset') s.send({ type: MessageType.CMD_RESET_FAULTS });
    else {
      const index = st.code === FaultCode.OPEN_SENSE_WIRE || st.code === FaultCode.CONTACTOR_FEEDBACK ? st.index : -1; // the others are pack-level
      s.send({ type: MessageType.CMD_INJECT_FAULT, code: st.code, index, active: st.active, value: NaN });
    }
    s.run(st.wait_ms + TICK_MS);
  }
  s.run(8000); // whatever was under way settles (a FATAL's delay, the break-current wait, a precharge)
  return s;
}

describe('contactor bits and state on the wire (PROTOCOL.md §8)', () => {
  it('should read a rule for every state from the contactor table', () => {
    expect([...LAW.keys()].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(LAW.get(BmsState.ERROR)).toEqual([false, false, false]);
    expect(LAW.get(BmsState.PRECHARGE)).toEqual([null, true, true]);
  });

  it('should agree on every PACK_STATUS frame, and show PRECHARGE on every STANDBY → NORMAL / CHARGE, for all sessions', () => {
    let transitions = 0;
    let frames = 0;
    fc.assert(
      fc.property(fc.array(step, { minLength: 4, maxLength: 14 }), (steps) => {
        const s = play(steps);
        const bad = s.frames.map(violation).filter((v) => v !== null);
        expect(bad.slice(0, 5)).toEqual([]);
        expect(s.frames.length).toBe(s.device.time_ms / TICK_MS); // one frame a tick, none lost
        transitions += expectPrechargeSeen(s.frames, 2 * s.model.bms.config.contactors.operate_ms);
        frames += s.frames.length;
      }),
      { numRuns: 20, seed: 20261203 },
    );
    expect(transitions).toBeGreaterThan(5); // the sessions did precharge
    expect(frames).toBeGreaterThan(0);
  });

  it('should keep the law through a fault in NORMAL: NORMAL while the current falls and the contactors open, ERROR from the tick they are open', () => {
    const s = play([
      { kind: 'state', to: 'NORMAL', wait_ms: 2000 },
      { kind: 'fault', code: FaultCode.HOST_COMM_LOSS, index: 0, active: true, wait_ms: 8000 },
      { kind: 'fault', code: FaultCode.HOST_COMM_LOSS, index: 0, active: false, wait_ms: 500 },
      { kind: 'reset', wait_ms: 200 },
      { kind: 'state', to: 'CHARGE', wait_ms: 2000 },
    ]);
    expect(s.frames.map(violation).filter((v) => v !== null)).toEqual([]);
    const firstError = s.frames.findIndex((f) => f.state === BmsState.ERROR);
    expect(expectPrechargeSeen(s.frames.slice(0, firstError), minPrecharge_ms(s.model))).toBe(1); // the first, from a discharged DC link
    expect(expectPrechargeSeen(s.frames, 2 * s.model.bms.config.contactors.operate_ms)).toBe(2);
    const states = s.frames.map((f) => BMS_STATE_NAMES[f.state]).filter((x, i, xs) => i === 0 || xs[i - 1] !== x);
    expect(states).toEqual(['INIT', 'STANDBY', 'PRECHARGE', 'NORMAL', 'ERROR', 'STANDBY', 'PRECHARGE', 'CHARGE']);
    // the FATAL bit shows in NORMAL (the BMS at zero current, opening) before ERROR
    const fatalFrom = s.frames.findIndex((f) => (f.faultMask >> FaultCode.HOST_COMM_LOSS) & 1);
    expect(fatalFrom).toBeGreaterThan(0);
    expect(fatalFrom).toBeLessThan(firstError);
    expect(s.frames[fatalFrom]!.state).toBe(BmsState.NORMAL);
    const c = s.model.bms.config;
    const fast = c.scheduler.fast_period_ms;
    // open within the break-current wait (one tick at rest) and the operate time
    expect(s.frames[firstError]!.t_ms - s.frames[fatalFrom]!.t_ms).toBeLessThanOrEqual(c.contactors.operate_ms + 2 * fast);
  });
  it('should break the law only for a welded contactor, shown as it is, with CONTACTOR_FEEDBACK raised', () => {
    const s = play([
      { kind: 'state', to: 'NORMAL', wait_ms: 2000 },
      { kind: 'fault', code: FaultCode.CONTACTOR_FEEDBACK, index: 0, active: true, wait_ms: 0 }, // main+ welded closed
      { kind: 'state', to: 'STANDBY', wait_ms: 3000 },
    ]);
    const bad = s.frames.filter((f) => violation(f) !== null);
    expect(bad.length).toBeGreaterThan(0);
    // the law holds until the contactors are told to open (main+ stays closed from then on)
    const opened = s.frames.findIndex((f, i) => i > 0 && !f.mainNegativeClosed && s.frames[i - 1]!.mainNegativeClosed);
    expect(s.frames.slice(0, opened).every((f) => violation(f) === null)).toBe(true);
    for (const f of bad) {
      // only main+ disagrees with the state: closed where the table says open
      expect([f.mainPositiveClosed, f.mainNegativeClosed, f.prechargeClosed]).toEqual([true, false, false]);
    }
    const c = s.model.bms.config.contactors;
    const firstBad = bad[0]!.t_ms;
    const fb = s.frames.find((f) => (f.faultMask >> FaultCode.CONTACTOR_FEEDBACK) & 1);
    expect(fb, 'CONTACTOR_FEEDBACK raised').toBeDefined();
    expect(fb!.t_ms - firstBad).toBeLessThanOrEqual(c.operate_ms + 1000); // within its debounce and delay
    expect(s.frames.at(-1)!.state).toBe(BmsState.ERROR);
  });
});
