/**
 * Test harness: a small pack with the BMS, driven the way interface.ts says the runner does
 * (prepare → admitCurrent → advance → afterStep), plus config helpers.
 */
import { type Chemistry } from '../../../sim/chemistry.ts';
import { NO_SPREAD, Pack, type SpreadConfig } from '../../../sim/pack.ts';
import { Reader } from '../../../sim/validate.ts';
import { type Bms, type BmsConfig, createBms, readBmsConfig, readFaults } from '../../../sim/bms/index.ts';
import type { HostRequest } from '../../../sim/bms/interface.ts';
import { loadChemistry } from '../../../sim/node/load.ts';

const chemCache = new Map<string, Chemistry>();
export function chem(name = 'naion-18650-layered'): Chemistry {
  let c = chemCache.get(name);
  if (!c) {
    c = loadChemistry(name);
    chemCache.set(name, c);
  }
  return c;
}

/** The default config with overrides (merged like a scenario's inline `bms` object). */
export function config(over: object = {}, chemistry = chem()): BmsConfig {
  return readBmsConfig(new Reader('(test)', over), chemistry);
}

export interface RigOptions {
  chemistry?: string;
  ns?: number;
  np?: number;
  soc?: number;
  T_C?: number;
  dt_s?: number;
  seed?: number;
  spread?: SpreadConfig;
  bms?: object;
  faults?: unknown[];
  hA_W_per_K?: number;
  /** The pack's cell_connection_ohm (default 0). */
  connection_ohm?: number;
}

export class Rig {
  readonly pack: Pack;
  readonly bms: Bms;
  readonly dt_s: number;
  t_s = 0;
  ambient_C: number;
  /** Load request for the next steps, A (charge positive). */
  load_A = 0;

  constructor(o: RigOptions = {}) {
    const c = chem(o.chemistry);
    this.dt_s = o.dt_s ?? 0.1;
    this.ambient_C = o.T_C ?? 25;
    this.pack = new Pack({
      chemistry: c,
      ns: o.ns ?? 4,
      np: o.np ?? 2,
      dt_s: this.dt_s,
      seed: o.seed ?? 1,
      spread: o.spread ?? NO_SPREAD,
      thermal: { neighbour_W_per_K: 0, cells_per_module: 1, hA_W_per_K: o.hA_W_per_K },
      cell_connection_ohm: o.connection_ohm ?? 0,
      busbar_ohm: 0,
      low_temperature_capacity: true,
      init: { soc: o.soc ?? 0.6, T_C: this.ambient_C, h: 0 },
    });
    const cfg = config(o.bms ?? {}, c);
    const faults = readFaults(new Reader('(test)', o.faults ?? []), this.pack.ns, this.pack.np);
    this.bms = createBms({ pack: this.pack, config: cfg, faults, seed: o.seed ?? 1, dt_s: this.dt_s });
  }

  /** One pack step; returns the admitted current. */
  step(request_A = this.load_A): number {
    const { pack, bms } = this;
    pack.prepare(this.ambient_C + bms.ambientOffset_C(this.t_s));
    const I = bms.admitCurrent(request_A, this.t_s);
    pack.advance(I);
    this.t_s = Math.round((this.t_s + this.dt_s) * 1e6) / 1e6;
    bms.afterStep(this.t_s);
    return I;
  }

  run(seconds: number, each?: () => void): void {
    const n = Math.round(seconds / this.dt_s);
    for (let k = 0; k < n; k++) {
      this.step();
      each?.();
    }
  }

  request(r: HostRequest): void {
    this.bms.request(r, this.t_s);
  }

  get state(): string {
    return this.bms.stateMachine.state;
  }
}
