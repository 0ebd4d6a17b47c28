/**
 * Shared pieces of the pack tests (test/sim/pack.test.ts, test/sim/pack/*.test.ts): a pack
 * of a random shape, running a C-rate profile, state snapshots, the arbitraries they share.
 */
import fc from 'fast-check';
import type { Chemistry, ChemistryFile } from '../../../sim/chemistry.ts';
import { Pack } from '../../../sim/pack.ts';
import { isStableStep } from '../../../sim/stability.ts';
import { type InitialState, type PackShape, type Trajectory, cRateProfile, packConfig, uniform } from '../arbitraries.ts';

/** A pack of the given shape, with its shunt and disconnected cell applied. */
export function buildPack(chem: Chemistry, shape: PackShape, init: InitialState, dt: number, lowT = false): Pack {
  // the explicit split only where it is stable (the implicit one is stable at any step)
  fc.pre(shape.split === 'implicit' || isStableStep(chem, shape.np, shape.spread, dt, 'explicit'));
  const pack = new Pack(packConfig(chem, shape, init, dt, lowT));
  if (shape.shunt) pack.shunt_S[shape.shunt.cell % pack.n] = shape.shunt.S_per_Ah * chem.capacity_Ah;
  // a lone cell cannot leave its group without opening the pack
  if (shape.disconnect !== null && pack.np >= 2) pack.connected[shape.disconnect % pack.n] = 0;
  return pack;
}

/** The pack's 1C current, A. */
export const oneC = (pack: Pack) => pack.chem.capacity_Ah * pack.np;

/** Run a C-rate profile; `each` sees the pack after every advance (k = step index). */
export function runPack(pack: Pack, cRates: Float64Array, T_sink: number, each: (k: number, I: number) => void = () => {}): void {
  for (let k = 0; k < cRates.length; k++) {
    const I = cRates[k]! * oneC(pack);
    pack.prepare(T_sink);
    pack.advance(I);
    each(k, I);
  }
}

/** Per-cell trajectories of a run, for the energy ledger. */
export function recordPack(pack: Pack, cRates: Float64Array, T_sink: number): Trajectory[] {
  const tr: Trajectory[] = [];
  for (let i = 0; i < pack.n; i++) {
    tr.push({
      dt: pack.dt_s,
      Q: pack.capacity_Ah[i]!,
      rScale: pack.rScale[i]!,
      z: [pack.z[i]!],
      T: [pack.T[i]!],
      h: [pack.h[i]!],
      v: [[pack.v1[i]!], [pack.v2[i]!]].slice(0, pack.nRC),
      I: [],
      V: [],
    });
  }
  runPack(pack, cRates, T_sink, () => {
    for (let i = 0; i < pack.n; i++) {
      const t = tr[i]!;
      t.I.push(pack.current[i]!);
      t.V.push(pack.voltage[i]!);
      t.z.push(pack.z[i]!);
      t.T.push(pack.T[i]!);
      t.h.push(pack.h[i]!);
      if (pack.nRC > 0) t.v[0]!.push(pack.v1[i]!);
      if (pack.nRC > 1) t.v[1]!.push(pack.v2[i]!);
    }
  });
  return tr;
}

export interface Snapshot {
  z: Float64Array;
  v1: Float64Array;
  v2: Float64Array;
  h: Float64Array;
  T: Float64Array;
}
export const snapshot = (p: Pack): Snapshot => ({ z: p.z.slice(), v1: p.v1.slice(), v2: p.v2.slice(), h: p.h.slice(), T: p.T.slice() });
export function restore(p: Pack, s: Snapshot): void {
  p.z.set(s.z);
  p.v1.set(s.v1);
  p.v2.set(s.v2);
  p.h.set(s.h);
  p.T.set(s.T);
}

/** The chemistry file of one spread cell: every resistance × r, every capacitance / r (τ kept). */
export function scaledSpec(spec: ChemistryFile, r: number): ChemistryFile {
  const res = spec.resistance;
  const R = (x: number) => x * r;
  const C = (x: number) => x / r;
  const resistance: ChemistryFile['resistance'] =
    res.form === 'arrhenius'
      ? { ...res, r0_ohm: res.r0_ohm.map(R), rc: res.rc.map((b) => ({ r_ohm: b.r_ohm.map(R), c_F: b.c_F.map(C) })) }
      : {
          ...res,
          r0_ohm: res.r0_ohm.map((row) => row.map(R)),
          rc: res.rc.map((b) => ({ r_ohm: b.r_ohm.map((row) => row.map(R)), c_F: b.c_F.map((row) => row.map(C)) })),
        };
  return { ...spec, resistance };
}

export const profile = cRateProfile({ maxSegments: 6, maxRun: 60, minC: 0.1, maxC: 2 });
export const sink = uniform(-10, 45);
export const dtArb = uniform(0.1, 1);
