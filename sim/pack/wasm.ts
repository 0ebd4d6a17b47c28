/**
 * The pack's step on the WebAssembly kernel (sim/kernel/): builds the kernel instance for a
 * pack's configuration, and steps it. The kernel keeps the pack's arrays in its own memory
 * (Pack takes views of them) and computes in place; this side only reads back the header.
 */
import { KELVIN, type Chemistry } from '../chemistry.ts';
import { PackKernel } from '../kernel/index.ts';
import { H_PACK_A, H_PACK_B, H_PACK_V } from '../kernel/layout.ts';
import type { Pack } from '../pack.ts';
import type { Stepper } from './stepper.ts';
import { capacityTop, kernelTables } from './tables.ts';

// header slots read every step, as module constants (no import binding on the hot path)
const HDR_PACK_A = H_PACK_A;
const HDR_PACK_B = H_PACK_B;
const HDR_PACK_V = H_PACK_V;

export interface KernelPackShape {
  chem: Chemistry;
  ns: number;
  np: number;
  lowTemperatureCapacity: boolean;
  cellConnection_ohm: number;
  busbar_ohm: number;
  implicit: boolean;
}

/** The kernel instance for a pack, or null where the kernel cannot run it (then: JS). */
export function createKernel(s: KernelPackShape): PackKernel | null {
  const { chem, ns, np } = s;
  if (chem.form !== 'arrhenius') return null; // 'table2d' resistances: the JS path
  if (chem.r0Charge !== null) return null; // a charge resistance (README "Charge resistance"): the JS path, for now
  const lowT = s.lowTemperatureCapacity;
  return PackKernel.create({
    n: ns * np,
    np,
    ns,
    nRC: chem.nRC,
    xs: chem.soc.x,
    invWidth: chem.soc.invWidth,
    bucket: chem.soc.bucket,
    invBucketWidth: chem.soc.invBucketWidth,
    table: kernelTables(chem),
    T_ref_C: chem.T_ref_C,
    invTref: 1 / (chem.T_ref_C + KELVIN),
    r0EaOverR: chem.r0EaOverR,
    rcEaOverR: chem.rcEaOverR,
    capT: lowT ? chem.capT! : new Float64Array(0),
    capF: lowT ? chem.capF! : new Float64Array(0),
    capTop: lowT ? capacityTop(chem.capT!, chem.capF!) : -Infinity,
    cellConnection_ohm: s.cellConnection_ohm,
    busbar_ohm: s.busbar_ohm,
    etaCharge: chem.etaCharge,
    implicit: s.implicit,
  });
}

export class WasmStepper implements Stepper {
  readonly kind = 'wasm';
  private readonly header: Float64Array;

  constructor(private readonly kernel: PackKernel) {
    this.header = kernel.headerView();
  }

  prepare(p: Pack, sinkT_C: number): void {
    this.kernel.exports.prepare(sinkT_C, p.dt_s);
    p.packA = this.header[HDR_PACK_A]!;
    p.packB = this.header[HDR_PACK_B]!;
  }

  redirect(_p: Pack, _I: number): boolean {
    return false; // the kernel runs no chemistry with a charge resistance (createKernel)
  }

  advance(p: Pack, I: number): void {
    this.kernel.exports.advance(I);
    const T = p.T;
    p.T = p.Tnext;
    p.Tnext = T;
    p.packVoltage = this.header[HDR_PACK_V]!;
    p.packCurrent = I;
  }
}
