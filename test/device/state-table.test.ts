/**
 * PROTOCOL.md §11.1, the state-request table, walked row by row against the emulated device
 * (device/model.ts on the real BMS emulator): the device is brought to the row's state, the
 * command is decided, and what follows is compared with a twin device that got no command.
 * The fixture steps the pack at the BMS's fast tick, so every state is seen.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ScenarioModel } from '../../device/model.ts';
import { BMS_STATE_NAMES, BmsState, FaultCode, MessageType, NackReason } from '../../protocol/messages.ts';
import { blankStatus } from '../../protocol/session.ts';
import { loadScenario } from '../../sim/node/load.ts';

const FIXTURE = fileURLToPath(new URL('fixtures/rest-8s1p-10ms.json', import.meta.url));
const DOC = fileURLToPath(new URL('../../protocol/PROTOCOL.md', import.meta.url));
const TICK_MS = 10;
const WINDOW_MS = 4000;
const PF_BIT = 1 << FaultCode.PRECHARGE_FAILURE;

interface Row {
  state: string;
  command: string;
  answer: string;
  then: string;
}

/** The table's rows, read from PROTOCOL.md. */
function stateTableRows(doc = readFileSync(DOC, 'utf8')): Row[] {
  const at = doc.indexOf('<!-- state-request table');
  if (at < 0) throw new Error('PROTOCOL.md: state-request table not found');
  const rows: Row[] = [];
  for (const line of doc.slice(at).split('\n').slice(1)) {
    if (rows.length > 0 && !line.startsWith('|')) break;
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    if (cells.length !== 4 || cells[0] === 'state' || cells[0]!.startsWith('---')) continue;
    rows.push({ state: cells[0]!, command: cells[1]!, answer: cells[2]!, then: cells[3]! });
  }
  return rows;
}

class Dev {
  readonly model = new ScenarioModel(loadScenario(FIXTURE));
  t = 0;
  private readonly buf = blankStatus();
  status() {
    return this.model.status(this.buf);
  }
  step(): void {
    this.t += TICK_MS;
    this.model.advanceTo(this.t);
  }
  until(what: string, ok: () => boolean, limit_ms = 20_000): void {
    const end = this.t + limit_ms;
    while (!ok()) {
      if (this.t >= end) throw new Error(`device: not ${what} by ${this.t} ms (state ${this.status().state})`);
      this.step();
    }
  }
  request(state: BmsState): number {
    return this.model.requestState(state, this.t);
  }
  hostCommLoss(active: boolean): void {
    const cmd = { type: MessageType.CMD_INJECT_FAULT, code: FaultCode.HOST_COMM_LOSS, index: -1, active, value: NaN } as const;
    expect(this.model.injectFault(cmd, this.t)).toBe(0);
  }
}

/** Brings a new device to the row's state. */
function reach(state: string): Dev {
  const d = new Dev();
  const is = (s: BmsState) => () => d.status().state === s;
  const settle = (ms: number) => {
    for (let k = 0; k < ms / TICK_MS; k++) d.step();
  };
  if (state === 'INIT') {
    d.step();
    return d;
  }
  d.until('STANDBY', is(BmsState.STANDBY));
  switch (state) {
    case 'STANDBY':
      break;
    case 'PRECHARGE (to NORMAL)':
      expect(d.request(BmsState.NORMAL)).toBe(0);
      d.until('PRECHARGE', is(BmsState.PRECHARGE));
      break;
    case 'NORMAL':
    case 'CHARGE': {
      const s = BmsState[state];
      expect(d.request(s)).toBe(0);
      d.until(state, is(s));
      settle(500);
      break;
    }
    case 'ERROR, FATAL raised':
    case 'ERROR, no FATAL': {
      d.hostCommLoss(true);
      d.until('ERROR', is(BmsState.ERROR));
      settle(500); // contactors open
      if (state === 'ERROR, no FATAL') {
        d.hostCommLoss(false);
        d.until('clear of FATAL faults', () => (d.status().faultMask & ~PF_BIT) === 0);
      }
      break;
    }
    default:
      throw new Error(`state-request table: unknown state "${state}"`);
  }
  return d;
}

function command(d: Dev, cmd: string): number {
  if (cmd === 'RESET_FAULTS') return d.model.resetFaults(d.t);
  const m = /^SET_STATE (STANDBY|NORMAL|CHARGE)$/.exec(cmd);
  if (!m) throw new Error(`state-request table: unknown command "${cmd}"`);
  return d.request(BmsState[m[1] as 'STANDBY' | 'NORMAL' | 'CHARGE']);
}

function answerOf(s: string): number {
  if (s === 'ACK') return 0;
  const r = NackReason[s as keyof typeof NackReason];
  if (r === undefined) throw new Error(`state-request table: unknown answer "${s}"`);
  return r;
}

/** States seen at every tick for the window, the present one first. */
function trace(d: Dev): number[] {
  const out = [d.status().state as number];
  for (let k = 0; k < WINDOW_MS / TICK_MS; k++) {
    d.step();
    const s = d.status();
    out.push(s.state);
    // the contactor bits agree with the state at every tick once it is settled
    if (s.state === BmsState.STANDBY || s.state === BmsState.INIT) expect(s.mainPositiveClosed).toBe(false);
  }
  return out;
}

const collapse = (xs: number[]): number[] => xs.filter((x, i) => i === 0 || xs[i - 1] !== x);

describe('PROTOCOL.md §11.1 state-request table, against the emulated device', () => {
  const rows = stateTableRows();
  it('should cover every state with every command', () => {
    const states = new Set(rows.map((r) => r.state));
    const commands = new Set(rows.map((r) => r.command));
    expect(states.size).toBe(7);
    expect(commands.size).toBe(4);
    expect(rows.length).toBe(states.size * commands.size);
  });

  it.each(rows.map((r) => [`${r.state} + ${r.command} → ${r.answer}, then ${r.then}`, r] as const))('%s', (_name, row) => {
    const d = reach(row.state);
    const twin = reach(row.state);
    expect(d.t).toBe(twin.t);
    const before = d.status().state;
    expect(command(d, row.command)).toBe(answerOf(row.answer));
    const got = trace(d);
    if (row.then === '—') {
      expect(got).toEqual(trace(twin));
    } else {
      const seen = collapse(got);
      if (seen[0] === before) seen.shift();
      expect(seen.map((s) => BMS_STATE_NAMES[s])).toEqual(row.then.split('→').map((s) => s.trim()));
    }
  });
});

describe('state requests with the pack stepped at 1 s', () => {
  it('should leave ERROR at once on RESET_FAULTS, so that a state request right after it is decided from STANDBY', () => {
    const model = new ScenarioModel(loadScenario(fileURLToPath(new URL('fixtures/rest-8s1p-1s.json', import.meta.url))));
    const st = blankStatus();
    const inject = (active: boolean, t: number) =>
      model.injectFault({ type: MessageType.CMD_INJECT_FAULT, code: FaultCode.HOST_COMM_LOSS, index: -1, active, value: NaN }, t);
    let t = 1000;
    model.advanceTo(t);
    expect(inject(true, t)).toBe(0);
    for (; model.status(st).state !== BmsState.ERROR; t += 10) model.advanceTo(t);
    expect(model.requestState(BmsState.STANDBY, t)).toBe(NackReason.ILLEGAL_TRANSITION);
    expect(inject(false, t)).toBe(0);
    for (; (model.status(st).faultMask & ~PF_BIT) !== 0; t += 10) model.advanceTo(t);
    expect(model.status(st).state).toBe(BmsState.ERROR);
    expect(model.resetFaults(t)).toBe(0);
    expect(model.status(st).state).toBe(BmsState.STANDBY);
    expect(model.requestState(BmsState.NORMAL, t)).toBe(0);
    model.advanceTo(t + 3000);
    expect(model.status(st)).toMatchObject({ state: BmsState.NORMAL, mainPositiveClosed: true, mainNegativeClosed: true });
  });
});

describe('firmware timing on the wire with the pack stepped at 1 s', () => {
  it('should show PRECHARGE between STANDBY and NORMAL, moving on the 10 ms grid, not on whole seconds', () => {
    const model = new ScenarioModel(loadScenario(fileURLToPath(new URL('fixtures/rest-8s1p-1s.json', import.meta.url))));
    const st = blankStatus();
    let t = 2500;
    model.advanceTo(t);
    expect(model.status(st).state).toBe(BmsState.STANDBY);
    expect(model.requestState(BmsState.NORMAL, t)).toBe(0);
    const seen: [number, number][] = [];
    for (; t < 6000; t += 10) {
      model.advanceTo(t);
      const s = model.status(st);
      if (seen.at(-1)?.[1] !== s.state) seen.push([t, s.state]);
    }
    expect(seen.map(([, s]) => BMS_STATE_NAMES[s])).toEqual(['STANDBY', 'PRECHARGE', 'NORMAL']);
    const [, [tPre], [tNormal]] = seen as [[number, number], [number, number], [number, number]];
    expect(tNormal - tPre).toBeGreaterThanOrEqual(200); // minus, then precharge, each after the contactor's operate time
    expect(tPre % 1000).not.toBe(0);
  });
});
