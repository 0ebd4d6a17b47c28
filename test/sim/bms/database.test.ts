import { describe, expect, it } from 'vitest';
import { CellVoltageBlock, Database, SocBlock, WRITERS } from '../../../sim/bms/database.ts';

describe('Database', () => {
  it('should accept a block only from its one writer', () => {
    const db = new Database(4, 2, 20);
    const soc = new SocBlock();
    expect(() => db.write(soc, 'afe')).toThrow(/"afe" may not write block "soc" \(writer: soc\)/);
    expect(() => db.write(soc, 'soc')).not.toThrow();
    expect(new Set(Object.values(WRITERS)).size).toBeGreaterThan(5);
  });

  it('should copy on write and on read, and stamp the times', () => {
    const db = new Database(3, 1, 20);
    const mine = new CellVoltageBlock(3);
    mine.voltage_V.set([3, 3.1, 3.2]);
    mine.max_V = 3.2;
    db.now_ms = 100;
    db.write(mine, 'afe');
    db.now_ms = 200;
    db.write(mine, 'afe');
    mine.voltage_V[0] = 9; // the writer's own copy: not the database's
    const theirs = db.read(new CellVoltageBlock(3));
    expect(Array.from(theirs.voltage_V)).toEqual([3, 3.1, 3.2]);
    expect(theirs.max_V).toBe(3.2);
    expect(theirs.timestamp_ms).toBe(200);
    expect(theirs.previousTimestamp_ms).toBe(100);
    theirs.voltage_V[1] = 0;
    expect(db.peek('cellVoltage').voltage_V[1]).toBe(3.1);
  });
});
