/**
 * CMD_INJECT_FAULT on the emulated device against its fault-injection table
 * (device/config/fault-injection.json, device/injection.ts, PROTOCOL.md §11.2): the table in
 * PROTOCOL.md is the JSON's; every code's default trips that code at its tier within its time
 * under its condition; indices and values outside the table are NACKed; a bad table is refused.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type InjectionEntry, injectionTableMarkdown, readInjectionTable, shippedInjectionTable } from '../../device/injection.ts';
import { ScenarioModel } from '../../device/model.ts';
import { BmsState, FaultCode, FaultTier, MessageType, NackReason, type FaultEvent } from '../../protocol/messages.ts';
import { blankStatus } from '../../protocol/session.ts';
import { InputError } from '../../sim/errors.ts';
import { Reader } from '../../sim/validate.ts';
import { loadScenario } from '../../sim/node/load.ts';

const fixture = (name: string): string => fileURLToPath(new URL(`fixtures/${name}.json`, import.meta.url));
const DOC = fileURLToPath(new URL('../../protocol/PROTOCOL.md', import.meta.url));
const INJECTION_TABLE_FILE = fileURLToPath(new URL('../../device/config/fault-injection.json', import.meta.url));
const TABLE = shippedInjectionTable();

function inject(model: ScenarioModel, t_ms: number, code: number, index: number, value = NaN, active = true): number {
  return model.injectFault({ type: MessageType.CMD_INJECT_FAULT, code, index, active, value }, t_ms);
}

class Dev {
  readonly model: ScenarioModel;
  readonly events: FaultEvent[] = [];
  t = 0;
  private readonly st = blankStatus();
  constructor(file: string) {
    this.model = new ScenarioModel(loadScenario(fixture(file)));
  }
  get state(): number {
    return this.model.status(this.st).state;
  }
  step(): void {
    this.t += 10;
    this.model.advanceTo(this.t);
    this.model.drainEvents(this.events);
  }
  until(what: string, ok: () => boolean, limit_ms: number): boolean {
    const end = this.t + limit_ms;
    while (!ok()) {
      if (this.t >= end) return false;
      this.step();
    }
    return true;
  }
}

/** A device in the entry's condition, the default injected at its first index; returns when it tripped (or Infinity). */
function tripTime_s(e: InjectionEntry): number {
  const cond = e.trips.while;
  const d = new Dev(cond === 'charge' ? 'charge-8s1p' : cond === 'discharge' ? 'discharge-8s1p' : 'rest-8s1p-10ms');
  const wantState = cond === 'charge' ? BmsState.CHARGE : cond === 'standby' || cond === 'request_normal' ? BmsState.STANDBY : BmsState.NORMAL;
  if (cond === 'normal_then_standby') {
    expect(d.until('STANDBY', () => d.state === BmsState.STANDBY, 5000)).toBe(true);
    expect(d.model.requestState(BmsState.NORMAL, d.t)).toBe(0);
  }
  expect(d.until('its condition', () => d.state === wantState, 10_000)).toBe(true);
  for (let k = 0; k < 100; k++) d.step(); // settled (a second in the state)
  d.events.length = 0;
  const t0 = d.t;
  expect(inject(d.model, d.t, e.code, e.index === 'pack' ? -1 : 0), d.model.lastRefusal).toBe(0);
  if (cond === 'request_normal') expect(d.model.requestState(BmsState.NORMAL, d.t)).toBe(0);
  if (cond === 'normal_then_standby') expect(d.model.requestState(BmsState.STANDBY, d.t)).toBe(0);
  const tier = FaultTier[e.trips.tier];
  const tripped = () => d.events.some((ev) => ev.code === e.code && ev.tier === tier && ev.raised);
  return d.until('tripped', tripped, (e.trips.within_s + 1) * 1000) ? (d.t - t0) / 1000 : Infinity;
}

describe('the fault-injection table', () => {
  it('should be the one PROTOCOL.md §11.2 shows', () => {
    const doc = readFileSync(DOC, 'utf8');
    const at = doc.indexOf('<!-- fault-injection table');
    expect(at).toBeGreaterThan(0);
    const block = doc
      .slice(doc.indexOf('\n', at) + 1)
      .split('\n\n')[0]!
      .trim();
    expect(block).toBe(injectionTableMarkdown(TABLE));
  });

  it.each([...TABLE.values()].map((e) => [e.name, e] as const))('%s: its default should trip it at its tier within its time', (_n, e) => {
    const t = tripTime_s(e);
    expect(t).toBeLessThanOrEqual(e.trips.within_s);
  });

  it('should refuse a bad table with one line naming the field', () => {
    const good = JSON.parse(readFileSync(INJECTION_TABLE_FILE, 'utf8')) as { codes: Record<string, Record<string, unknown>> };
    const bad = (mutate: (c: typeof good.codes) => void): string => {
      const v = structuredClone(good);
      mutate(v.codes);
      try {
        readInjectionTable(new Reader('t.json', v));
      } catch (err) {
        expect(err).toBeInstanceOf(InputError);
        return (err as Error).message;
      }
      return 'accepted';
    };
    expect(bad((c) => (c.NO_SUCH_CODE = c.NTC_OPEN!))).toMatch(/codes\.NO_SUCH_CODE.*not a fault code/);
    expect(bad((c) => (c.NTC_OPEN!.index = 'cell'))).toMatch(/codes\.NTC_OPEN\.index/);
    expect(bad((c) => ((c.DEEP_DISCHARGE!.value as Record<string, unknown>).unit = 'A'))).toMatch(/codes\.DEEP_DISCHARGE\.value\.unit/);
    expect(bad((c) => ((c.DEEP_DISCHARGE!.value as Record<string, unknown>).default = 5000))).toMatch(/codes\.DEEP_DISCHARGE\.value\.default.*<= 1000/);
    expect(bad((c) => (c.NTC_OPEN!.value = { unit: 'ohm', min: 0, max: 1, default: 1 }))).toMatch(/codes\.NTC_OPEN\.value.*must be null/);
    expect(bad((c) => ((c.NTC_OPEN!.trips as Record<string, unknown>).while = 'always'))).toMatch(/codes\.NTC_OPEN\.trips\.while/);
    expect(bad(() => undefined)).toBe('accepted');
  });
});

describe('CMD_INJECT_FAULT checked against the table', () => {
  const d = new Dev('rest-8s1p-10ms');
  d.until('STANDBY', () => d.state === BmsState.STANDBY, 5000);
  const t = d.t;
  const m = d.model;
  it('should take 0xFFFF and nothing else as the index of a pack-level code', () => {
    for (const i of [0, 5, 0xfffe]) {
      expect(inject(m, t, FaultCode.CURRENT_PLAUSIBILITY, i)).toBe(NackReason.BAD_VALUE);
      expect(m.lastRefusal).toMatch(/index .*must be 0xFFFF/);
    }
    expect(inject(m, t, FaultCode.CURRENT_PLAUSIBILITY, -1)).toBe(0);
    expect(inject(m, t, FaultCode.CURRENT_PLAUSIBILITY, -1, NaN, false)).toBe(0);
  });
  it("should take the indices of the code's own space only", () => {
    expect(inject(m, t, FaultCode.OPEN_SENSE_WIRE, 8)).toBe(NackReason.BAD_VALUE); // 8 groups: 0..7
    expect(inject(m, t, FaultCode.OPEN_SENSE_WIRE, -1)).toBe(NackReason.BAD_VALUE);
    expect(inject(m, t, FaultCode.CONTACTOR_FEEDBACK, 3)).toBe(NackReason.BAD_VALUE);
    expect(inject(m, t, FaultCode.NTC_OPEN, m.info().temperatureSensors)).toBe(NackReason.BAD_VALUE);
  });
  it('should NACK a value outside its range, or a value for a code that takes none', () => {
    expect(inject(m, t, FaultCode.DEEP_DISCHARGE, 0, -1)).toBe(NackReason.BAD_VALUE);
    expect(m.lastRefusal).toMatch(/value -1 ohm: must be 0\.0005\.\.1000/);
    expect(inject(m, t, FaultCode.DEEP_DISCHARGE, 0, Infinity)).toBe(NackReason.BAD_VALUE);
    expect(inject(m, t, FaultCode.OPEN_SENSE_WIRE, 0, 1)).toBe(NackReason.BAD_VALUE);
    expect(m.lastRefusal).toMatch(/takes no value/);
  });
  it('should NACK UNSUPPORTED a code the table does not list, and BAD_VALUE a removal of nothing', () => {
    expect(inject(m, t, FaultCode.CELL_OVERVOLTAGE, 0)).toBe(NackReason.UNSUPPORTED);
    expect(inject(m, t, 999, -1)).toBe(NackReason.UNSUPPORTED);
    expect(inject(m, t, FaultCode.NTC_SHORT, 1, NaN, false)).toBe(NackReason.BAD_VALUE);
  });
});
