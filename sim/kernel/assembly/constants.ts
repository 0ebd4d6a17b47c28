/**
 * Constants of the pack kernel (entry: pack.ts): the byte sizes of a pair's scratch and of a
 * table row, the vector constants in memory and their accessors, and fdlibm's exp constants
 * (init() writes them as vectors; exp.ts uses them as scalars too).
 */
import { H_CONST, W_FIELDS, TAB_ROW } from "../layout";

export const KELVIN: f64 = 273.15;
/** Bytes of one pair's scratch. */
export const WB: usize = <usize>W_FIELDS << 4;
export const RB: usize = <usize>TAB_ROW << 3;

// ---------------------------------------------------------------------------------------
// Vector constants, in memory at CONST_BASE (written by init()). Loops load them relative
// to a base read at run time, one instruction each, where an immediate f64x2 costs V8
// three whenever it is rematerialised. C(cb, X) is the constant X; cb = cbase().
// ---------------------------------------------------------------------------------------

export const C_ONE = 0;
export const C_MINUS_ONE = 1;
export const C_HALF = 2;
export const C_KELVIN = 3;
export const C_T9 = 4; // 1/9!, 1/8!, ..., 1/3!
export const C_T8 = 5;
export const C_T7 = 6;
export const C_T6 = 7;
export const C_T5 = 8;
export const C_T4 = 9;
export const C_T3 = 10;
export const C_SMALL = 11; // 1/32
export const C_HYST = 12; // -2^-8
export const C_LN2_HI = 13;
export const C_LN2_LO = 14;
export const C_INV_LN2 = 15;
export const C_P1 = 16;
export const C_P2 = 17;
export const C_P3 = 18;
export const C_P4 = 19;
export const C_P5 = 20;
export const C_E = 21;
export const C_HALF_LN2 = 22; // the largest |x| whose high word is 0x3FD62E42
export const C_TINY = 23; // 2^-28
export const C_TWO = 24;
export const C_WIDE = 25; // 700
export const C_SIGN = 26; // sign bit
export const C_SCALE = 27; // 2^52 + 1023
export const C_COUNT = 28;

@inline export function C(cb: usize, i: i32): v128 {
  return v128.load(cb + (<usize>i << 4));
}

/** CONST_BASE, from the header (an i32 there): opaque to the optimizer, so it stays a register. */
@inline export function cbase(): usize {
  return load<u32>(<usize>H_CONST << 3);
}

/** Both lanes' bits set (i64x2 masks: 3 = all, 0 = none). */
@inline export function all2(mask: v128): bool {
  return i64x2.bitmask(mask) == 3;
}

// ---------------------------------------------------------------------------------------
// exp: fdlibm e_exp.c constants
// ---------------------------------------------------------------------------------------

export const LN2_HI: f64 = 6.93147180369123816490e-01;
export const LN2_LO: f64 = 1.90821492927058770002e-10;
export const INV_LN2: f64 = 1.44269504088896338700e+00;
export const P1: f64 = 1.66666666666666019037e-01;
export const P2: f64 = -2.77777777770155933842e-03;
export const P3: f64 = 6.61375632143793436117e-05;
export const P4: f64 = -1.65339022054652515390e-06;
export const P5: f64 = 4.13813679705723846039e-08;
export const E: f64 = 2.718281828459045;
