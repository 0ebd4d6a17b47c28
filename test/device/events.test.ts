/**
 * The emulated device's EVENTs come from diagnosis as it raises and clears (Diag.onEvent), in
 * that order, and never stop: not when the diagnosis records are full (MAX_RECORDS), not in a
 * long run with a fault toggling.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ScenarioModel } from '../../device/model.ts';
import { FaultCode, FaultTier, MessageType, type FaultEvent } from '../../protocol/messages.ts';
import { MAX_RECORDS } from '../../sim/bms/diag.ts';
import { loadScenario } from '../../sim/node/load.ts';

const FIXTURE = fileURLToPath(new URL('fixtures/rest-8s1p-1s.json', import.meta.url));

/** Toggles an open NTC (sensor 1) every `period_s` for `toggles` times; returns the EVENTs of NTC_OPEN. */
function toggleNtc(model: ScenarioModel, toggles: number, period_s: number): FaultEvent[] {
  const got: FaultEvent[] = [];
  let t = 2000;
  model.advanceTo(t);
  for (let k = 0; k < toggles; k++) {
    expect(model.injectFault({ type: MessageType.CMD_INJECT_FAULT, code: FaultCode.NTC_OPEN, index: 1, active: k % 2 === 0, value: NaN }, t)).toBe(0);
    for (const end = t + period_s * 1000; t < end;) {
      t += 100;
      model.advanceTo(t);
      model.drainEvents(got);
    }
  }
  return got.filter((e) => e.code === FaultCode.NTC_OPEN);
}

describe('EVENTs of the emulated device', () => {
  it('should raise and clear a toggling fault every time, in order, over a long run', () => {
    const events = toggleNtc(new ScenarioModel(loadScenario(FIXTURE)), 120, 30); // an hour
    expect(events).toHaveLength(120);
    events.forEach((e, k) => expect([e.raised, e.tier, e.index]).toEqual([k % 2 === 0, FaultTier.WARNING, 1]));
  });

  it('should go on once the diagnosis records are full', () => {
    const model = new ScenarioModel(loadScenario(FIXTURE));
    const records = model.bms.diag.records;
    while (records.length < MAX_RECORDS) records.push({ code: 'NTC_OPEN', tier: 'WARNING', value: 0, threshold: 0, raised_s: 0, cleared_s: 0, index: 0 });
    const events = toggleNtc(model, 4, 10);
    expect(events.map((e) => e.raised)).toEqual([true, false, true, false]);
    expect(model.bms.diag.droppedRecords).toBeGreaterThanOrEqual(2);
  });
});
