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
import { CHECKS, CHECK_IDS } from '../../sim/bms/types.ts';
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

/**
 * A device in the entry's condition, the default injected at its first index; returns when it
 * tripped (or Infinity), the EVENT that raised it, and the device.
 */
function trip(e: InjectionEntry): { t_s: number; event: FaultEvent | null; dev: Dev } {
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
  const raise = (): FaultEvent | undefined => d.events.find((ev) => ev.code === e.code && ev.tier === tier && ev.raised);
  const ok = d.until('tripped', () => raise() !== undefined, (e.trips.within_s + 1) * 1000);
  return { t_s: ok ? (d.t - t0) / 1000 : Infinity, event: raise() ?? null, dev: d };
}

const tripTime_s = (e: InjectionEntry): number => trip(e).t_s;

interface EventRow {
  value: string;
  threshold: string;
  raisedWhen: string;
}

/** PROTOCOL.md §9.6, the EVENT table: per code, what value and threshold carry. */
function eventTable(doc = readFileSync(DOC, 'utf8')): Map<number, EventRow> {
  const at = doc.indexOf('<!-- EVENT table');
  if (at < 0) throw new Error('PROTOCOL.md: EVENT table not found');
  const rows = new Map<number, EventRow>();
  for (const line of doc.slice(at).split('\n').slice(1)) {
    if (rows.size > 0 && !line.startsWith('|')) break;
    const cells = line
      .split(/(?<!\\)\|/)
      .slice(1, -1)
      .map((c) => c.trim());
    if (cells.length !== 5 || !/^\d+$/.test(cells[0]!)) continue;
    expect(FaultCode[cells[1] as keyof typeof FaultCode], `EVENT table row ${cells[0]}`).toBe(Number(cells[0]));
    rows.set(Number(cells[0]), { value: cells[2]!, threshold: cells[3]!, raisedWhen: cells[4]! });
  }
  return rows;
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

describe('PROTOCOL.md §9.6 EVENT table: value and threshold of each code, as the device sends them', () => {
  const rows = eventTable();
  it('should have a row for every fault code', () => {
    expect([...rows.keys()]).toEqual(Object.values(FaultCode).filter((v) => typeof v === 'number'));
  });

  it.each([...TABLE.values()].map((e) => [e.name, e] as const))('%s: the raising EVENT should carry what the table says', (_n, e) => {
    const { event, dev } = trip(e);
    expect(event, 'raised').not.toBeNull();
    const ev = event!;
    const row = rows.get(e.code)!;
    if (row.raisedWhen === 'value > threshold') expect(ev.value).toBeGreaterThan(ev.threshold);
    else if (row.raisedWhen === 'value < threshold') expect(ev.value).toBeLessThan(ev.threshold);
    else throw new Error(`EVENT table: "${row.raisedWhen}"`);
    const cfg = dev.model.bms.config;
    if (row.threshold.startsWith("the tier's limit")) {
      // the configured limit of one of the code's checks at the event's tier
      const th = dev.model.bms.diag.thresholds;
      const limits = CHECK_IDS.flatMap((id, c) => (CHECKS[id].code === e.code ? [th[c * 3 + ev.tier]!] : []));
      expect(limits).toContain(ev.threshold);
    } else if (row.threshold.includes('precharge.voltage_threshold_pct')) {
      const pack_V = dev.model.status(blankStatus()).packVoltage_V;
      expect(ev.threshold).toBeCloseTo((cfg.precharge.voltage_threshold_pct / 100) * pack_V, 1);
    } else {
      throw new Error(`EVENT table: threshold "${row.threshold}" is checked by no rule here`);
    }
  });

  it('should repeat the raise in the clear EVENT', () => {
    const d = new Dev('rest-8s1p-10ms');
    expect(d.until('STANDBY', () => d.state === BmsState.STANDBY, 5000)).toBe(true);
    expect(inject(d.model, d.t, FaultCode.HOST_COMM_LOSS, -1)).toBe(0);
    expect(d.until('WARNING', () => d.events.some((ev) => ev.raised), 3000)).toBe(true);
    expect(inject(d.model, d.t, FaultCode.HOST_COMM_LOSS, -1, NaN, false)).toBe(0);
    expect(d.until('clear', () => d.events.some((ev) => !ev.raised), 3000)).toBe(true);
    const [up, down] = d.events;
    expect(down).toEqual({ ...up, raised: false });
    expect(up!.value).toBeGreaterThan(up!.threshold); // seconds of silence past the tier's 1 s
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
