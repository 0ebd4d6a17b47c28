/**
 * The pack kernel's configuration and array addresses (entry: pack.ts), read from the header
 * by init(); prepare() sets sinkT and advance() swaps pT and pTn. Header accessors.
 */
import { CONST_BASE } from "../layout";

// ---------------------------------------------------------------------------------------
// Configuration, read from the header by init()
// ---------------------------------------------------------------------------------------

export let n: i32 = 0;
export let np: i32 = 0;
export let ns: i32 = 0;
export let nRC: i32 = 0;
export let nx: i32 = 0;
export let nCap: i32 = 0;
export let x0: f64 = 0;
export let xN: f64 = 0;
export let invBw: f64 = 0;
export let Tref: f64 = 0;
export let invTref: f64 = 0;
export let ea0: f64 = 0;
export let eaRC: f64 = 0;
export let capTop: f64 = 0;
export let rConn: f64 = 0;
export let busbar: f64 = 0;
export let etaC: f64 = 0;
export let sinkT: f64 = 0;
export let implicit: bool = false;

export let pZ: usize = 0;
export let pV1: usize = 0;
export let pV2: usize = 0;
export let pH: usize = 0;
export let pT: usize = 0;
export let pTn: usize = 0;
export let pRs: usize = 0;
export let pIrs: usize = 0;
export let pConn: usize = 0;
export let pShunt: usize = 0;
export let pKz: usize = 0;
export let pKh: usize = 0;
export let pDecay: usize = 0;
export let pInvH: usize = 0;
export let pKl: usize = 0;
export let pKr: usize = 0;
export let pVolt: usize = 0;
export let pCur: usize = 0;
export let pTcur: usize = 0;
export let pHeat: usize = 0;
export let pGvc: usize = 0;
export let pW: usize = 0;
export let pSumG: usize = 0;
export let pSumGE: usize = 0;
export let pInvSumG: usize = 0;
export let pGv: usize = 0;
export let pTab: usize = 0;
export let pXs: usize = 0;
export let pInvW: usize = 0;
export let pBucket: usize = 0;
export let pCapT: usize = 0;
export let pCapF: usize = 0;
export let pLt: usize = 0;
export let pLrow: usize = 0;
export let pF0: usize = 0;
export let pFr: usize = 0;
export let pLs: usize = 0;

@inline export function hf(slot: i32): f64 {
  return load<f64>(<usize>slot << 3);
}
@inline export function hi(slot: i32): i32 {
  return <i32>load<f64>(<usize>slot << 3);
}
@inline export function hp(slot: i32): usize {
  return <usize>load<f64>(<usize>slot << 3);
}
@inline export function ld(p: usize): f64 {
  return load<f64>(p);
}
@inline export function setC(i: i32, v: v128): void {
  v128.store(<usize>(CONST_BASE + (i << 4)), v);
}
