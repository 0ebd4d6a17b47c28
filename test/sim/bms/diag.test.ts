import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Database } from '../../../sim/bms/database.ts';
import { CHECK_INDEX, Diag, NC, buildThresholds, type DiagEvent } from '../../../sim/bms/diag.ts';
import { config } from './_harness.ts';

const OV = CHECK_INDEX.cell_overvoltage;

function setup(over: object = {}, maxRecords?: number) {
  const cfg = config(over);
  const diag = new Diag(cfg, buildThresholds(cfg, 2), maxRecords);
  const db = new Database(4, 2, NC);
  let t = 0;
  const tick = (mask: number, value = 4.3) => {
    t += 10;
    db.now_ms = t;
    diag.begin(t);
    diag.report(OV, mask, value);
    diag.commit(db);
  };
  return { cfg, diag, db, tick };
}

describe('Diag', () => {
  it('should report every raise and clear to onEvent, also once its records are full', () => {
    const { diag, tick } = setup({ checks: { cell_overvoltage: { debounce_ticks: 1, clear_ticks: 1, delay_ms: 0 } } }, 4);
    const events: DiagEvent[] = [];
    diag.onEvent = (e) => events.push(e);
    for (let k = 0; k < 10; k++) {
      tick(0b001, 4.3 + k);
      tick(0);
    }
    expect(diag.records).toHaveLength(4);
    expect(diag.droppedRecords).toBe(6);
    expect(events.map((e) => [e.raised, e.value])).toEqual(
      Array.from({ length: 10 }, (_, k) => [
        [true, 4.3 + k],
        [false, 4.3 + k],
      ]).flat(),
    );
    expect(events.every((e) => e.code === 'CELL_OVERVOLTAGE' && e.tier === 'INFO' && e.index === null)).toBe(true);
  });

  // for all debounce and clear counts / such that NOT_OK comes in runs / a tier is raised exactly at the debounce-th consecutive NOT_OK, cleared at the clear-th consecutive OK
  it('should raise after exactly debounce_ticks consecutive NOT_OK and clear after clear_ticks OK', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 8 }), fc.array(fc.boolean(), { maxLength: 60 }), (deb, clr, seq) => {
        const { diag, tick } = setup({ checks: { cell_overvoltage: { debounce_ticks: deb, clear_ticks: clr, delay_ms: 0 } } });
        let run = 0;
        let okRun = 0;
        let raised = false;
        for (const bad of seq) {
          tick(bad ? 0b111 : 0);
          if (bad) {
            run++;
            okRun = 0;
            if (!raised && run >= deb) raised = true;
          } else {
            run = 0;
            if (raised && ++okRun >= clr) {
              raised = false;
              okRun = 0;
            }
          }
          expect(diag.isRaised(OV, 0)).toBe(raised);
          expect(diag.isRaised(OV, 2)).toBe(raised);
        }
      }),
    );
  });

  it('should record each fault with its code, tier, value, threshold and times', () => {
    const { diag, tick } = setup({ checks: { cell_overvoltage: { debounce_ticks: 2, clear_ticks: 1, delay_ms: 0 } } });
    tick(0b001, 4.12);
    tick(0b011, 4.16);
    tick(0);
    expect(diag.records).toEqual([{ code: 'CELL_OVERVOLTAGE', tier: 'INFO', value: 4.16, threshold: 4.11, raised_s: 0.02, cleared_s: 0.03, index: null }]);
  });

  it('should make a fatal fault due only after its reaction delay, and hold it until then', () => {
    const { diag, db, tick } = setup({ checks: { cell_overvoltage: { debounce_ticks: 1, clear_ticks: 1, delay_ms: 50 } } });
    tick(0b100);
    expect(db.peek('diag').fatalCount).toBe(1);
    expect(db.peek('diag').fatalDue).toBe(0);
    for (let k = 0; k < 4; k++) {
      tick(0); // the value went back inside: still held
      expect(db.peek('diag').fatalDue).toBe(0);
      expect(diag.isRaised(OV, 2)).toBe(true);
    }
    tick(0);
    expect(db.peek('diag').fatalDue).toBe(1);
    tick(0);
    expect(diag.isRaised(OV, 2)).toBe(false);
    expect(db.peek('diag').fatalDue).toBe(0);
  });

  it('should mark the direction a warning derates', () => {
    const { db, tick } = setup({ checks: { cell_overvoltage: { debounce_ticks: 1 } } });
    tick(0b010);
    expect(db.peek('diag').warningDirections).toBe(1);
    expect(db.peek('diag').warningCount).toBe(1);
  });
});
