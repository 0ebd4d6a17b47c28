/**
 * The pack's step on the WebAssembly kernel (sim/kernel/): builds the kernel instance for a
 * pack's configuration, and steps it. The kernel keeps the pack's arrays in its own memory
 * (Pack takes views of them) and computes in place; this side only reads back the header.
 */
import { KELVIN, type Chemistry } from '../chemistry.ts';
import { PackKernel } from '../kernel/index.ts';
import { H_PACK_A, H_PACK_B, H_PACK_V, TAB_ROW } from '../kernel/layout.ts';
import type { Pack } from '../pack.ts';
import type { Stepper } from './stepper.ts';
import { capacityTop, interleaveColumn, kernelTables } from './tables.ts';

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

/** Column of R0 in a kernel table row (kernelTables: OCV, dU/dT, M, R0, …, then the slopes). */
const TAB_R0 = 3;
const TAB_SLOPES = 8;

export class WasmStepper implements Stepper {
  readonly kind = 'wasm';
  private readonly header: Float64Array;
  /**
   * A chemistry with a charge resistance (sim/MODEL.md, "Charge resistance"): the kernel's R0
   * column as kernelTables lays it out, for discharge and for charge, and the direction the
   * table in the kernel's memory holds. The kernel itself is unchanged: the host writes the
   * column of the step's direction into its table (nx rows, on a change of direction only),
   * which is what the JS path reads from its charge table, so the two stay bit-identical.
   */
  private readonly r0Columns: { discharge: Float64Array; charge: Float64Array; table: Float64Array } | null;
  private charging = false;

  constructor(
    private readonly kernel: PackKernel,
    chem: Chemistry,
  ) {
    this.header = kernel.headerView();
    this.r0Columns =
      chem.r0Charge === null ? null : { discharge: interleaveColumn(chem.r0), charge: interleaveColumn(chem.r0Charge), table: kernel.tableView() };
  }

  prepare(p: Pack, sinkT_C: number): void {
    if (this.r0Columns !== null) this.holdR0(p.packCurrent > 0);
    this.evaluate(p, sinkT_C);
  }

  redirect(p: Pack, I: number): boolean {
    if (this.r0Columns === null || I > 0 === this.charging) return false;
    this.holdR0(I > 0);
    this.evaluate(p, p.sinkT);
    return true;
  }

  private evaluate(p: Pack, sinkT_C: number): void {
    this.kernel.exports.prepare(sinkT_C, p.dt_s);
    p.packA = this.header[HDR_PACK_A]!;
    p.packB = this.header[HDR_PACK_B]!;
  }

  /** Put the R0 column of one direction into the kernel's table. */
  private holdR0(charging: boolean): void {
    const cols = this.r0Columns!;
    if (charging === this.charging) return;
    const src = charging ? cols.charge : cols.discharge;
    const tab = cols.table;
    for (let s = 0; 2 * s < src.length; s++) {
      tab[s * TAB_ROW + TAB_R0] = src[2 * s]!;
      tab[s * TAB_ROW + TAB_SLOPES + TAB_R0] = src[2 * s + 1]!;
    }
    this.charging = charging;
  }

  advance(p: Pack, I: number): void {
    this.redirect(p, I); // the current flows the other way than prepare() assumed
    this.kernel.exports.advance(I);
    const T = p.T;
    p.T = p.Tnext;
    p.Tnext = T;
    p.packVoltage = this.header[HDR_PACK_V]!;
    p.packCurrent = I;
  }
}
