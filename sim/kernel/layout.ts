/**
 * The header of a pack kernel's linear memory: f64 slots at byte 0, written by the host
 * (sim/kernel/index.ts) and read by the kernel (sim/kernel/assembly/pack.ts). This file is
 * both TypeScript and AssemblyScript: keep it to plain integer constants.
 *
 * Addresses are byte offsets, stored as f64 (exact). Per-cell f64 arrays hold an even number
 * of slots (the kernel works on pairs of cells) with one guard pair before and after.
 */

// --- written by the kernel ---
export const H_PACK_A = 0;
export const H_PACK_B = 1;
export const H_PACK_V = 2;

// --- sizes ---
export const H_N = 3;
export const H_NP = 4;
export const H_NS = 5;
export const H_NRC = 6;
export const H_NX = 7;
export const H_NCAP = 8;

// --- scalars ---
export const H_X0 = 9;
export const H_XN = 10;
export const H_INV_BW = 11;
export const H_TREF = 12;
export const H_INV_TREF = 13;
export const H_EA0 = 14;
export const H_EARC = 15;
export const H_CAP_TOP = 16;
export const H_RCONN = 17;
export const H_BUSBAR = 18;
export const H_ETA_C = 19;

// --- addresses: per-cell state ---
export const H_Z = 20;
export const H_V1 = 21;
export const H_V2 = 22;
export const H_H = 23;
export const H_T = 24;
export const H_TN = 25;
// per-cell parameters and step constants
export const H_RS = 26;
export const H_IRS = 27;
export const H_CONN = 28;
export const H_SHUNT = 29;
export const H_KZ = 30;
export const H_KH = 31;
export const H_DECAY = 32;
export const H_INVH = 33;
export const H_KL = 34;
export const H_KR = 35;
// per-cell outputs of advance
export const H_VOLT = 36;
export const H_CUR = 37;
export const H_TCUR = 38;
export const H_HEAT = 39;
/** Group voltage of each cell's group (scratch of advance). */
export const H_GVC = 40;
/** Per-pair scratch of prepare, read by advance: W_FIELDS f64x2 per pair. */
export const H_W = 41;
// per-group
export const H_SUMG = 42;
export const H_SUMGE = 43;
export const H_INV_SUMG = 44;
export const H_GV = 45;
// tables
export const H_TAB = 46;
export const H_XS = 47;
export const H_INVW = 48;
export const H_BUCKET = 49;
export const H_CAPT = 50;
export const H_CAPF = 51;

// per-cell scratch of prepare: lookup fraction t (f64), table row address (i32), Arrhenius factors
export const H_LT = 52;
export const H_LROW = 53;
export const H_F0 = 54;
export const H_FR = 55;
/** Address of the kernel's constants, an integer (written and read by the kernel). */
export const H_CONST = 56;
/** Per-cell scratch of prepare: dOCV/dz at the lookup SOC (implicit split only). */
export const H_LS = 57;
/** 1 = the implicit parallel split (pack/js.ts balanceEndOfStep), 0 = the explicit one. */
export const H_IMPLICIT = 58;

export const HEADER_SLOTS = 64;
/** The kernel's vector constants (written by its init()) follow the header, up to HOST_BASE. */
export const CONST_BASE = 512;
/** The host lays out its arrays from here (or from the kernel's heap base, if higher). */
export const HOST_BASE = 1024;

/**
 * Fields of the per-pair scratch: field f of cell i is f64 number ((i >> 1) * W_FIELDS + f) * 2
 * + (i & 1) of the scratch (both lanes of a field side by side).
 */
export const WF_E = 0;
export const WF_ETH = 1;
export const WF_RTH = 2;
export const WF_R0 = 3;
export const WF_G = 4;
/** RC decays a1 = exp(-dt/(R1 C1)), a2 (-dt/(R C) between the kernel's tables and decays passes). */
export const WF_A1 = 5;
export const WF_A2 = 6;
/** R1 (1 - a1), R2 (1 - a2) (R1, R2 between the tables and decays passes). */
export const WF_B1 = 7;
export const WF_B2 = 8;
export const WF_IR1 = 9;
export const WF_IR2 = 10;
export const WF_M = 11;
export const WF_DU = 12;
/** Implicit split: the end-of-step source E~ and resistance R~ (pack/stepper.ts W_ET, W_RT). */
export const WF_ET = 13;
export const WF_RT = 14;
export const W_FIELDS = 15;

/**
 * SOC table row of breakpoint s: 16 f64, the values of OCV, dU/dT, M, R0, R1, C1, R2, C2,
 * then their slopes to the next breakpoint in the same order.
 */
export const TAB_ROW = 16;
