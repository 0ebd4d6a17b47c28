/**
 * Contactor control (firmware): holds the commands for the minus, plus and precharge
 * contactors, writes them to the contactor block (read by the plant), and compares each
 * command with its auxiliary-contact feedback once the operate time has passed.
 */
import { ContactorBlock, CurrentBlock, type Database } from './database.ts';

export type Which = 'plus' | 'minus' | 'precharge';

export class ContactorControl {
  private readonly cmd = new ContactorBlock();
  private readonly fb = new CurrentBlock();
  /** Ticks since each command last changed (plus, minus, precharge). */
  private readonly since = new Int32Array(3);
  private readonly operateTicks: number;

  constructor(operate_ms: number, fast_ms: number) {
    this.operateTicks = Math.ceil(operate_ms / fast_ms);
  }

  get plus(): number {
    return this.cmd.plus;
  }
  get minus(): number {
    return this.cmd.minus;
  }
  get precharge(): number {
    return this.cmd.precharge;
  }
  get openedUnderLoad(): number {
    return this.cmd.openedUnderLoad;
  }

  set(which: Which, closed: boolean): void {
    const v = closed ? 1 : 0;
    const k = which === 'plus' ? 0 : which === 'minus' ? 1 : 2;
    if (this.cmd[which] !== v) {
      this.cmd[which] = v;
      this.since[k] = 0;
    }
  }

  openAll(): void {
    this.set('plus', false);
    this.set('precharge', false);
    this.set('minus', false);
  }

  noteOpenedUnderLoad(): void {
    this.cmd.openedUnderLoad++;
  }

  /** Once per fast tick, after the state machine: publish the commands. */
  commit(db: Database): void {
    for (let k = 0; k < 3; k++) this.since[k]!++;
    db.write(this.cmd, 'contactor');
  }

  /** Contactors whose feedback disagrees with their command after the operate time. */
  mismatches(db: Database): number {
    const fb = db.read(this.fb);
    let n = 0;
    if (this.since[0]! > this.operateTicks && fb.plusClosed !== this.cmd.plus) n++;
    if (this.since[1]! > this.operateTicks && fb.minusClosed !== this.cmd.minus) n++;
    if (this.since[2]! > this.operateTicks && fb.prechargeClosed !== this.cmd.precharge) n++;
    return n;
  }
}
