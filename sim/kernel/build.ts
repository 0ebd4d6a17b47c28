/**
 * Compiles the AssemblyScript pack kernel (sim/kernel/assembly/pack.ts and the files it
 * imports) and writes it, base64-encoded, into sim/kernel/wasm.ts, so that the sim core loads
 * it without reading a file, in Node and in a browser (sim/kernel/index.ts).
 * `npm run build:kernel` writes the module; test/sim/kernel/build.test.ts compiles again in
 * memory and checks the committed module holds exactly what the source gives.
 * Flags: tools/asc.ts.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ASC_FLAGS, compileAssemblyScript, embeddedWasmModuleText } from '../../tools/asc.ts';

export const KERNEL_SOURCE = fileURLToPath(new URL('./assembly/pack.ts', import.meta.url));
export const KERNEL_MODULE = fileURLToPath(new URL('./wasm.ts', import.meta.url));

/** Compile the kernel in memory; its WebAssembly bytes. */
export function compileKernel(): Promise<Uint8Array> {
  return compileAssemblyScript(KERNEL_SOURCE, ASC_FLAGS);
}

/** The text of wasm.ts for these bytes. */
export function kernelModuleText(bytes: Uint8Array): string {
  return embeddedWasmModuleText('build:kernel', 'assembly/pack.ts', 'KERNEL_WASM_BASE64', bytes);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const bytes = await compileKernel();
  writeFileSync(KERNEL_MODULE, kernelModuleText(bytes));
  console.log(`wrote ${KERNEL_MODULE} (${bytes.length} bytes of WebAssembly)`);
}
