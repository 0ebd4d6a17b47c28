/**
 * Host side of the WebAssembly pack kernel (sim/kernel/assembly/, embedded in wasm.ts by
 * `npm run build:kernel`): compiles the module once per process, and gives each pack its own
 * instance with its own memory, laid out for its cells (layout.ts).
 *
 * Loading: nothing is read from disk. In Node the embedded bytes are compiled synchronously,
 * the first time a pack asks. Elsewhere (a browser, whose main thread refuses to compile more
 * than 4 KiB synchronously) they are compiled asynchronously: `await kernelReady()` before
 * building packs; a pack built before that runs on the JS path, which gives the same results.
 */
import {
  H_BUCKET,
  H_BUSBAR,
  H_CAPF,
  H_CAPT,
  H_CAP_TOP,
  H_CONN,
  H_CUR,
  H_DECAY,
  H_EA0,
  H_EARC,
  H_ETA_C,
  H_GV,
  H_GVC,
  H_H,
  H_HEAT,
  H_INVH,
  H_INVW,
  H_INV_BW,
  H_INV_SUMG,
  H_INV_TREF,
  H_IRS,
  H_KH,
  H_KL,
  H_KR,
  H_KZ,
  H_N,
  H_NCAP,
  H_NP,
  H_NRC,
  H_NS,
  H_NX,
  H_PACK_A,
  H_PACK_B,
  H_PACK_V,
  H_RCONN,
  H_RS,
  H_SHUNT,
  H_SUMG,
  H_SUMGE,
  H_T,
  H_TAB,
  H_TCUR,
  H_TN,
  H_TREF,
  H_V1,
  H_V2,
  H_VOLT,
  H_W,
  H_X0,
  H_XN,
  H_XS,
  H_Z,
  H_LT,
  H_LROW,
  H_F0,
  H_FR,
  H_LS,
  H_IMPLICIT,
  HEADER_SLOTS,
  HOST_BASE,
  TAB_ROW,
  W_FIELDS,
} from './layout.ts';
import { KERNEL_WASM_BASE64 } from './wasm.ts';

export interface KernelExports {
  init(): void;
  prepare(sinkT_C: number, dt_s: number): void;
  advance(I: number): void;
  heapBase(): number;
  /** exp by the kernel's vector path (|x| <= 700) and by its scalar path (tests). */
  exp2(x: number): number;
  exp1(x: number): number;
}

interface Loaded {
  module: WebAssembly.Module;
  /** First byte the host may use past the header (the kernel's static data ends there). */
  base: number;
}

/** undefined: not compiled yet; null: unavailable (no WebAssembly or no SIMD): the JS path. */
let loaded: Loaded | null | undefined;
let compiling: Promise<boolean> | undefined;

const host = globalThis as { process?: { versions?: { node?: string }; emitWarning?: (message: string) => void } };
/** Node compiles on the spot; a browser (or any other host) asynchronously. */
const COMPILE_SYNC = typeof host.process?.versions?.node === 'string';

function install(module: WebAssembly.Module): Loaded {
  // a throwaway instance tells where the kernel's own data ends
  const probe = new WebAssembly.Instance(module, { env: { memory: new WebAssembly.Memory({ initial: 1, maximum: 1 }) } });
  const heapBase = (probe.exports as unknown as KernelExports).heapBase();
  return { module, base: align(Math.max(heapBase, HOST_BASE), 64) };
}

/** The embedded module's bytes. */
function kernelBytes(): Uint8Array<ArrayBuffer> {
  const text = atob(KERNEL_WASM_BASE64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** No WebAssembly, no SIMD: the JS path, said once. */
function unavailable(e: unknown): null {
  host.process?.emitWarning?.(`WebAssembly pack kernel unavailable (${e instanceof Error ? e.message : String(e)}); packs run on the JS path`);
  return null;
}

/** The compiled kernel, or null where it is not (yet) compiled (packs then run on the JS path). */
function kernel(): Loaded | null {
  if (loaded !== undefined) return loaded;
  if (!COMPILE_SYNC) {
    void kernelReady(); // packs built meanwhile run on the JS path
    return null;
  }
  try {
    loaded = install(new WebAssembly.Module(kernelBytes()));
  } catch (e) {
    loaded = unavailable(e);
  }
  return loaded;
}

/**
 * Compiles the kernel if it is not yet (asynchronously outside Node); resolves to whether
 * packs built from then on run on it. Never rejects: without the kernel, packs run on JS.
 */
export function kernelReady(): Promise<boolean> {
  if (loaded !== undefined || COMPILE_SYNC) return Promise.resolve(kernel() !== null);
  compiling ??= (async () => {
    try {
      loaded = install(await WebAssembly.compile(kernelBytes()));
    } catch (e) {
      loaded = unavailable(e);
    }
    return loaded !== null;
  })();
  return compiling;
}

/** Whether packs built from now on can use the kernel (outside Node: once kernelReady() has resolved). */
export function kernelAvailable(): boolean {
  return kernel() !== null;
}

function align(x: number, a: number): number {
  return Math.ceil(x / a) * a;
}

/** What the kernel needs to know of a pack and its chemistry, besides the per-cell arrays. */
export interface KernelConfig {
  n: number;
  np: number;
  ns: number;
  nRC: number;
  /** SOC grid: breakpoints, 1/width per segment, bucket array and its 1/width. */
  xs: Float64Array;
  invWidth: Float64Array;
  bucket: Int32Array;
  invBucketWidth: number;
  /** Rows of TAB_ROW f64 per breakpoint (values, then slopes, of OCV dUdT M R0 R1 C1 R2 C2). */
  table: Float64Array;
  T_ref_C: number;
  invTref: number;
  r0EaOverR: number;
  rcEaOverR: number;
  /** Low-temperature capacity table (empty: none) and the temperature from which it is 1. */
  capT: Float64Array;
  capF: Float64Array;
  capTop: number;
  cellConnection_ohm: number;
  busbar_ohm: number;
  etaCharge: number;
  /** The implicit parallel split (else the explicit one). */
  implicit: boolean;
}

/** Per-cell arrays of a pack, besides those the kernel reads. */
export const HOST_CELL_ARRAYS = 3;

/**
 * One pack's instance and memory. The memory is allocated once, for the pack's size, and
 * never grows: the views handed out stay valid for the life of the pack.
 */
export class PackKernel {
  readonly exports: KernelExports;
  private readonly memory: WebAssembly.Memory;
  private readonly header: Float64Array;
  private readonly cells = new Map<number, number>();
  private readonly hostCells: number[] = [];
  readonly n: number;

  /** Build the instance for a pack, or null where the kernel is not available. */
  static create(cfg: KernelConfig): PackKernel | null {
    const k = kernel();
    return k ? new PackKernel(k, cfg) : null;
  }

  private constructor(k: Loaded, cfg: KernelConfig) {
    const { n, ns } = cfg;
    this.n = n;
    const nE = n + (n & 1);
    let end = k.base;
    const take = (bytes: number): number => {
      const at = align(end, 16);
      end = at + bytes;
      return at;
    };
    // per-cell f64 arrays: a guard pair, nE slots, a guard pair
    const cell = (): number => take((nE + 4) * 8) + 16;
    const cellSlots = [
      H_Z,
      H_V1,
      H_V2,
      H_H,
      H_T,
      H_TN,
      H_RS,
      H_IRS,
      H_CONN,
      H_SHUNT,
      H_KZ,
      H_KH,
      H_DECAY,
      H_INVH,
      H_KL,
      H_KR,
      H_VOLT,
      H_CUR,
      H_TCUR,
      H_HEAT,
      H_GVC,
    ];
    for (const s of cellSlots) this.cells.set(s, cell());
    for (let j = 0; j < HOST_CELL_ARRAYS; j++) this.hostCells.push(cell());
    const scratchCells: [number, number][] = [H_LT, H_F0, H_FR, H_LS].map((s) => [s, cell()]);
    const lrow = take(nE * 4);
    // per-group arrays, one slot over (zero: what a phantom lane of a 1-cell-group pack reads)
    const group: [number, number][] = [H_SUMG, H_SUMGE, H_INV_SUMG, H_GV].map((s) => [s, take((ns + 1) * 8)]);
    const w = take((nE / 2) * W_FIELDS * 16);
    const nx = cfg.xs.length;
    const tab = take(nx * TAB_ROW * 8);
    const xs = take(nx * 8);
    const invW = take(cfg.invWidth.length * 8);
    const bucket = take(cfg.bucket.length * 4);
    const capT = take(Math.max(1, cfg.capT.length) * 8);
    const capF = take(Math.max(1, cfg.capF.length) * 8);
    const pages = Math.ceil(end / 65536);
    this.memory = new WebAssembly.Memory({ initial: pages, maximum: pages });
    const instance = new WebAssembly.Instance(k.module, { env: { memory: this.memory } });
    this.exports = instance.exports as unknown as KernelExports;
    const buf = this.memory.buffer;
    const h = (this.header = new Float64Array(buf, 0, HEADER_SLOTS));

    for (const [s, at] of this.cells) h[s] = at;
    for (const [s, at] of group) h[s] = at;
    for (const [s, at] of scratchCells) h[s] = at;
    h[H_LROW] = lrow;
    h[H_W] = w;
    h[H_TAB] = tab;
    h[H_XS] = xs;
    h[H_INVW] = invW;
    h[H_BUCKET] = bucket;
    h[H_CAPT] = capT;
    h[H_CAPF] = capF;
    new Float64Array(buf, tab, cfg.table.length).set(cfg.table);
    new Float64Array(buf, xs, nx).set(cfg.xs);
    new Float64Array(buf, invW, cfg.invWidth.length).set(cfg.invWidth);
    new Int32Array(buf, bucket, cfg.bucket.length).set(cfg.bucket);
    new Float64Array(buf, capT, cfg.capT.length).set(cfg.capT);
    new Float64Array(buf, capF, cfg.capF.length).set(cfg.capF);

    h[H_N] = n;
    h[H_NP] = cfg.np;
    h[H_NS] = ns;
    h[H_NRC] = cfg.nRC;
    h[H_NX] = nx;
    h[H_NCAP] = cfg.capT.length;
    h[H_X0] = cfg.xs[0]!;
    h[H_XN] = cfg.xs[nx - 1]!;
    h[H_INV_BW] = cfg.invBucketWidth;
    h[H_TREF] = cfg.T_ref_C;
    h[H_INV_TREF] = cfg.invTref;
    h[H_EA0] = cfg.r0EaOverR;
    h[H_EARC] = cfg.rcEaOverR;
    h[H_CAP_TOP] = cfg.capTop;
    h[H_RCONN] = cfg.cellConnection_ohm;
    h[H_BUSBAR] = cfg.busbar_ohm;
    h[H_ETA_C] = cfg.etaCharge;
    h[H_IMPLICIT] = cfg.implicit ? 1 : 0;

    // the phantom lane of an odd pack: a disconnected cell with finite parameters
    if (n & 1) {
      this.raw(H_RS)[n] = 1;
      this.raw(H_IRS)[n] = 1;
    }
    this.exports.init();
  }

  /** All nE + 4 slots of a per-cell array (guards included), index 0 = cell 0. */
  private raw(slot: number): Float64Array {
    const at = this.cells.get(slot)!;
    return new Float64Array(this.memory.buffer, at - 16, this.n + (this.n & 1) + 4).subarray(2);
  }

  /** The view of a per-cell array the kernel reads or writes (one of the H_ cell slots). */
  cellArray(slot: number): Float64Array {
    const at = this.cells.get(slot);
    if (at === undefined) throw new RangeError(`slot ${slot} is not a per-cell array`);
    return new Float64Array(this.memory.buffer, at, this.n);
  }

  /** A per-cell array of the host's own (j < HOST_CELL_ARRAYS), in the same memory. */
  hostArray(j: number): Float64Array {
    return new Float64Array(this.memory.buffer, this.hostCells[j]!, this.n);
  }

  /** A per-group array (H_SUMG, H_SUMGE, H_INV_SUMG, H_GV). */
  groupArray(slot: number): Float64Array {
    return new Float64Array(this.memory.buffer, this.header[slot]!, this.header[H_NS]!);
  }

  /**
   * The SOC tables the kernel reads in its memory (layout.ts TAB_ROW per breakpoint): the
   * host rewrites its R0 column for a chemistry with a charge resistance (pack/wasm.ts).
   */
  tableView(): Float64Array {
    return new Float64Array(this.memory.buffer, this.header[H_TAB]!, this.header[H_NX]! * TAB_ROW);
  }

  /** The per-pair scratch: field f of cell i at ((i >> 1) * W_FIELDS + f) * 2 + (i & 1). */
  scratch(): Float64Array {
    const nE = this.n + (this.n & 1);
    return new Float64Array(this.memory.buffer, this.header[H_W]!, (nE / 2) * W_FIELDS * 2);
  }

  /** The header (layout.ts H_*): packA, packB and the pack voltage are read from it. */
  headerView(): Float64Array {
    return this.header;
  }

  get packA(): number {
    return this.header[H_PACK_A]!;
  }
  get packB(): number {
    return this.header[H_PACK_B]!;
  }
  get packVoltage(): number {
    return this.header[H_PACK_V]!;
  }

  /** Bytes of linear memory this pack holds. */
  get byteLength(): number {
    return this.memory.buffer.byteLength;
  }
}
