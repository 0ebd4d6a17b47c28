/**
 * Compiles the frame scanner (assembly/framescan.ts) and writes it, base64-encoded, into
 * wasm.ts, so that the isomorphic decoder loads it the same way in Node and in a browser (no
 * file to fetch; small enough for a synchronous compile on a browser's main thread, < 4 KiB).
 * `npm run build:framescan` writes the file; test/protocol/framescan/build.test.ts compiles
 * again in memory and checks the committed bytes are exactly what the source gives.
 * Flags: tools/asc.ts.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ASC_FLAGS, compileAssemblyScript, embeddedWasmModuleText } from '../../tools/asc.ts';

export const FRAMESCAN_SOURCE = fileURLToPath(new URL('./assembly/framescan.ts', import.meta.url));
export const FRAMESCAN_MODULE = fileURLToPath(new URL('./wasm.ts', import.meta.url));

/** Compiles the scanner in memory; its WebAssembly bytes. */
export function compileFrameScan(): Promise<Uint8Array> {
  return compileAssemblyScript(FRAMESCAN_SOURCE, ASC_FLAGS);
}

/** The text of wasm.ts for these bytes. */
export function frameScanModuleText(bytes: Uint8Array): string {
  return embeddedWasmModuleText('build:framescan', 'assembly/framescan.ts', 'FRAMESCAN_WASM_BASE64', bytes);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const bytes = await compileFrameScan();
  writeFileSync(FRAMESCAN_MODULE, frameScanModuleText(bytes));
  console.log(`wrote ${FRAMESCAN_MODULE} (${bytes.length} bytes of WebAssembly)`);
}
