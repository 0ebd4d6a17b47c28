import type fc from 'fast-check';
import type { Model, Real } from './system.ts';

/** The load (or a charger) asks for a current for a while; the BMS admits what it allows. */
export class LoadCommand implements fc.Command<Model, Real> {
  constructor(
    readonly current_A: number,
    readonly seconds: number,
  ) {}
  check(): boolean {
    return true;
  }
  run(m: Model, r: Real): void {
    m.commands++;
    r.rig.load_A = this.current_A;
    r.advance(this.seconds);
  }
  toString(): string {
    return `load(${this.current_A.toFixed(2)} A, ${this.seconds.toFixed(2)} s)`;
  }
}
