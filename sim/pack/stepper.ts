/**
 * The seam between the pack (sim/pack.ts: state, parameters, public API) and its step
 * implementations: the JS path (./js.ts, the readable reference) and the WebAssembly kernel
 * (./wasm.ts over sim/kernel/). Both fill the same per-step scratch, laid out below.
 */
import type { Pack } from '../pack.ts';

/** One step implementation of a pack: prepare() then advance(), as Pack's methods say. */
export interface Stepper {
  readonly kind: 'wasm' | 'js';
  /** Evaluate every cell at step k; set pack.packA and pack.packB. */
  prepare(pack: Pack, sinkT_C: number): void;
  /**
   * A chemistry with a charge resistance: prepare() evaluated R0 for the previous step's
   * direction; when current I flows the other way, evaluate the step again for I's direction
   * and return true (packA/packB change). False, and nothing done, otherwise.
   */
  redirect(pack: Pack, I: number): boolean;
  /** Apply pack current I for one step; set the outputs, move the states to k+1, swap T. */
  advance(pack: Pack, I: number): void;
}

/**
 * Per-step scratch of one cell, interleaved (one buffer keeps the hot loops' registers free).
 * The kernel keeps the same fields, numbered alike, in pairs of cells (layout.ts WF_*).
 */
export const W_E = 0; // every term of the terminal voltage but the ohmic one, V
export const W_ETH = 1; // Thevenin source of the cell with its shunt, V
export const W_RTH = 2; // Thevenin resistance of the cell with its shunt, Ω
export const W_R0 = 3;
export const W_G = 4; // conductance of the cell branch into its group node, S
export const W_A1 = 5; // RC decays exp(-dt/τ)
export const W_A2 = 6;
export const W_R1 = 7;
export const W_R2 = 8;
export const W_IR1 = 9; // 1/R1, 1/R2
export const W_IR2 = 10;
export const W_M = 11;
export const W_DU = 12; // dU/dT
// implicit split: the cell's end-of-step source and resistance (E~, R~), V_{k+1} ≈ E~ + R~ I
export const W_ET = 13;
export const W_RT = 14; // R0 + k L + kh M in prepare's first loop, then + Σ R_j (1 - a_j)
export const W = 15;
