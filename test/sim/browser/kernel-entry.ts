/**
 * The pack kernel as a browser bundles it (kernel.browser.test.ts): the embedded module
 * compiled asynchronously (kernelReady), packs on the kernel and on the JS path stepped side
 * by side through shunts, a disconnected cell, an open group and step changes, for both
 * parallel splits. Node runs this very module too (where the kernel compiles synchronously).
 */
import { type Chemistry, chemistryPreset } from '../../../sim/chemistry.ts';
import { kernelAvailable, kernelReady } from '../../../sim/kernel/index.ts';
import { Pack, type PackConfig } from '../../../sim/pack.ts';

export interface KernelCase {
  chemistry: string;
  split: 'implicit' | 'explicit';
  /** Values compared after every step, and how many were not bit-identical. */
  compared: number;
  differing: number;
  /** The kernel pack's final state: packA, packB, pack voltage and current, group voltages, each cell array. */
  state: number[];
}

export interface KernelRunResult {
  /** Whether the kernel was usable before kernelReady() (Node: yes; a browser: not yet). */
  availableBefore: boolean;
  /** The step implementation of a pack built before kernelReady(). */
  kernelBefore: 'wasm' | 'js';
  ready: boolean;
  cases: KernelCase[];
}

const NS = 5;
const NP = 3;
const STEPS = 1500;
const CELL_ARRAYS = ['z', 'v1', 'v2', 'h', 'T', 'voltage', 'current', 'terminalCurrent', 'heat'] as const;

function config(chemistry: Chemistry, split: 'implicit' | 'explicit', kernel: 'auto' | 'js'): PackConfig {
  return {
    chemistry,
    ns: NS,
    np: NP,
    dt_s: 1,
    seed: 11,
    spread: { capacity_rel_sigma: 0.02, resistance_rel_sigma: 0.05, soc_sigma: 0.02, truncate_sigma: 3 },
    thermal: { neighbour_W_per_K: 0.8, cells_per_module: 4 },
    cell_connection_ohm: 1e-3,
    busbar_ohm: 2e-3,
    low_temperature_capacity: true,
    init: { soc: 0.6, T_C: -10, h: 0 },
    kernel,
    split,
  };
}

/** The same change to both packs before step k. */
function events(k: number, p: Pack): void {
  if (k % 300 === 50) p.shunt_S[((k / 300) % (NS * NP)) | 0] = 0.5;
  if (k % 300 === 200) p.shunt_S[((k / 300) % (NS * NP)) | 0] = 0;
  if (k === 400) p.connected[4] = 0;
  if (k === 700) for (let j = 0; j < NP; j++) p.connected[2 * NP + j] = 0;
  if (k === 900) for (let j = 0; j < NP; j++) p.connected[2 * NP + j] = 1;
  if (k === 1000) p.setStep(5);
  if (k === 1200) p.setStep(0.1);
}

function values(p: Pack): number[] {
  const out: number[] = [p.packA, p.packB, p.packVoltage, p.packCurrent, ...p.groupVoltage];
  for (const f of CELL_ARRAYS) out.push(...p[f]);
  return out;
}

function runCase(chemistry: string, split: 'implicit' | 'explicit'): KernelCase {
  const chem = chemistryPreset(chemistry);
  const wasm = new Pack(config(chem, split, 'auto'));
  const js = new Pack(config(chem, split, 'js'));
  if (wasm.kernel !== 'wasm' || js.kernel !== 'js') throw new Error(`kernels: ${wasm.kernel}, ${js.kernel}`);
  let compared = 0;
  let differing = 0;
  for (let k = 0; k < STEPS; k++) {
    const c = k % 250 < 30 ? 0 : k % 500 < 250 ? -1.5 : 0.8;
    const sink = -20 + 50 * ((k / 600) % 1);
    for (const p of [wasm, js]) {
      events(k, p);
      p.prepare(sink);
      p.advance(c * p.nominalCapacity_Ah());
    }
    const a = values(wasm);
    const b = values(js);
    for (let i = 0; i < a.length; i++) {
      compared++;
      if (!Object.is(a[i], b[i])) differing++;
    }
  }
  return { chemistry, split, compared, differing, state: values(wasm) };
}

export async function kernelRun(): Promise<KernelRunResult> {
  const availableBefore = kernelAvailable();
  const kernelBefore = new Pack(config(chemistryPreset('naion-18650-layered'), 'implicit', 'auto')).kernel;
  const ready = await kernelReady();
  const cases: KernelCase[] = [];
  for (const chemistry of ['naion-18650-layered', 'naion-prismatic-150ah']) {
    for (const split of ['implicit', 'explicit'] as const) cases.push(runCase(chemistry, split));
  }
  return { availableBefore, kernelBefore, ready, cases };
}
