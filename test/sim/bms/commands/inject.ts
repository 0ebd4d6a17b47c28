import type fc from 'fast-check';
import type { FaultSpec } from '../../../../sim/bms/faults.ts';
import type { Model, Real } from './system.ts';

/** Faults the model-based test injects at run time (each at most once per run). */
export const INJECTABLE: Record<string, Omit<FaultSpec, 'at_s'>> = {
  open_sense_wire: { fault: 'open_sense_wire', group: 1, duration_s: 1 },
  host_comm_loss: { fault: 'host_comm_loss', duration_s: 4 },
  welded_contactor: { fault: 'welded_contactor', contactor: 'plus', duration_s: null },
  precharge_resistor_open: { fault: 'precharge_resistor_open', duration_s: 5 },
  current_sensor_offset: { fault: 'current_sensor_offset', offset_A: null, offset_pct_fs: 25, duration_s: 3 },
  charger_fault: { fault: 'charger_fault', mode: 'no_termination', duration_s: 10 },
  ntc_short: { fault: 'ntc_short', cell: 0, duration_s: 3 },
} as Record<string, Omit<FaultSpec, 'at_s'>>;

/** Inject one fault now. */
export class InjectCommand implements fc.Command<Model, Real> {
  constructor(readonly kind: keyof typeof INJECTABLE) {}
  check(m: Readonly<Model>): boolean {
    return !m.injected.has(this.kind) && m.injected.size < 3;
  }
  run(m: Model, r: Real): void {
    m.commands++;
    m.injected.add(this.kind);
    r.rig.bms.inject({ ...INJECTABLE[this.kind]!, at_s: r.rig.t_s } as FaultSpec, r.rig.t_s);
    r.advance(0.2);
  }
  toString(): string {
    return `inject(${this.kind})`;
  }
}
