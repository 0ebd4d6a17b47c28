/**
 * Host side of the frame scanner (assembly/framescan.ts, embedded in wasm.ts): one instance
 * and one small linear memory per decoder, whose work buffer lives in that memory so the
 * scanner reads and decodes it in place (nothing is copied between the decoder and the scanner).
 *
 * Layout of a scanner's memory: the CRC tables ([0, TABLES_BYTES)), then RECORDS_MAX run
 * records (i32), then the work buffer, then 16 bytes of slack for the scanner's 16-byte loads
 * past the sentinel. The memory never grows, so views on it stay valid.
 *
 * Where WebAssembly (with SIMD) is not available, `newFrameScan` returns null and the decoder
 * runs its JavaScript path, which gives the same results.
 */
import { MAX_ENCODED_FRAME_SIZE, MAX_FRAME_SIZE, MIN_FRAME_SIZE, PROTOCOL_VERSION } from '../messages.ts';
import { FRAMESCAN_WASM_BASE64 } from './wasm.ts';

/** Runs recorded per call of `scan`. */
export const RECORDS_MAX = 4096;
/**
 * Flag of a record that stands for a stretch of empty runs (consecutive 0x00: idle fill), the
 * module's EMPTY: `EMPTY | z`, z the index of the stretch's last 0x00.
 */
export const EMPTY = 1 << 30;
/** Bytes of the sixteen CRC tables at the start of the memory (the module's TABLES_BYTES). */
const TABLES_BYTES = 16 * 256 * 4;
const SLACK = 16;
const PAGE = 65536;

/**
 * The parts of the WebAssembly API used here, looked up on globalThis: the protocol core is
 * typed against ES2023 alone (no DOM or Node types), and a host may lack WebAssembly.
 */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Memory: new (descriptor: { initial: number; maximum: number }) => { readonly buffer: ArrayBuffer };
  Instance: new (module: object, imports: object) => { readonly exports: unknown };
}

interface Exports {
  TABLES_BYTES: { readonly value: unknown };
  EMPTY: { readonly value: unknown };
  init(version: number, minFrame: number, maxFrame: number, maxEncoded: number): void;
  crc32c(start: number, end: number): number;
  scan(work: number, records: number, s: number, from: number, end: number, max: number): number;
}

export interface FrameScan {
  /** The decoder's work buffer (in the scanner's memory). */
  readonly work: Uint8Array;
  /**
   * Run records written by `scan`: z if work[s..z) decoded to a valid frame at s + 1, ~z if it
   * did not, EMPTY | z if work[s..z] are all 0x00 (empty runs, one record for the stretch).
   */
  readonly records: Int32Array;
  /**
   * Splits work[s..end) into runs (work[end] must be 0x00; work[s..from) holds none), recording
   * at most RECORDS_MAX of them; returns how many (fewer: it reached `end`).
   */
  scan(s: number, from: number, end: number): number;
  /** CRC-32C of work[start..end) (for tests). */
  crc32c(start: number, end: number): number;
}

const host = globalThis as { WebAssembly?: WasmApi; atob?: (data: string) => string };
let compiled: { api: WasmApi; module: object } | null | undefined;

function compiledModule(): { api: WasmApi; module: object } | null {
  if (compiled === undefined) {
    compiled = null; // no WebAssembly, no SIMD or no atob: the decoder's JS path
    const api = host.WebAssembly;
    const atob = host.atob;
    if (api !== undefined && atob !== undefined) {
      try {
        const text = atob(FRAMESCAN_WASM_BASE64);
        const bytes = new Uint8Array(text.length);
        for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
        compiled = { api, module: new api.Module(bytes) };
      } catch {
        // compile error: a host without SIMD
      }
    }
  }
  return compiled;
}

/**
 * A scanner with a work buffer of `workSize` bytes, or null where WebAssembly is unavailable
 * or its memory cannot be had.
 */
export function newFrameScan(workSize: number): FrameScan | null {
  const wasm = compiledModule();
  if (wasm === null) return null;
  const recordsAt = TABLES_BYTES;
  const workAt = recordsAt + RECORDS_MAX * 4;
  const pages = Math.ceil((workAt + workSize + SLACK) / PAGE);
  let memory: { readonly buffer: ArrayBuffer };
  let ex: Exports;
  try {
    memory = new wasm.api.Memory({ initial: pages, maximum: pages });
    ex = new wasm.api.Instance(wasm.module, { env: { memory } }).exports as Exports;
  } catch {
    return null; // no memory to be had (address space, a host's limit): the JS path
  }
  if (ex.TABLES_BYTES.value !== TABLES_BYTES) throw new Error(`framescan: tables take ${String(ex.TABLES_BYTES.value)} bytes, not ${TABLES_BYTES}`);
  if (ex.EMPTY.value !== EMPTY) throw new Error(`framescan: its empty-run flag is ${String(ex.EMPTY.value)}, not ${EMPTY}`);
  ex.init(PROTOCOL_VERSION, MIN_FRAME_SIZE, MAX_FRAME_SIZE, MAX_ENCODED_FRAME_SIZE);
  const scan = ex.scan;
  const crc = ex.crc32c;
  return {
    work: new Uint8Array(memory.buffer, workAt, workSize),
    records: new Int32Array(memory.buffer, recordsAt, RECORDS_MAX),
    scan: (s, from, end) => scan(workAt, recordsAt, s, from, end, RECORDS_MAX),
    crc32c: (start, end) => crc(workAt + start, workAt + end) >>> 0,
  };
}
