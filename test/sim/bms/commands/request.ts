import type fc from 'fast-check';
import type { HostRequest } from '../../../../sim/bms/interface.ts';
import type { Model, Real } from './system.ts';

/** The host asks for a state; the BMS takes it on a later tick. */
export class RequestCommand implements fc.Command<Model, Real> {
  constructor(readonly req: HostRequest) {}
  check(): boolean {
    return true;
  }
  run(m: Model, r: Real): void {
    m.commands++;
    r.request(this.req);
    r.advance(0.3);
  }
  toString(): string {
    return `request(${this.req})`;
  }
}
