/**
 * Compiles the AssemblyScript pack kernel (sim/kernel/assembly/pack.ts) to sim/kernel/pack.wasm.
 * `npm run build:kernel` writes the file; test/sim/kernel/build.test.ts compiles again in
 * memory and checks the committed binary is exactly what its source gives.
 * Flags: tools/asc.ts.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ASC_FLAGS, compileAssemblyScript } from '../../tools/asc.ts';

export const KERNEL_SOURCE = fileURLToPath(new URL('./assembly/pack.ts', import.meta.url));
export const KERNEL_WASM = fileURLToPath(new URL('./pack.wasm', import.meta.url));

/** Compile the kernel in memory; the bytes of pack.wasm. */
export function compileKernel(): Promise<Uint8Array> {
  return compileAssemblyScript(KERNEL_SOURCE, ASC_FLAGS);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const bytes = await compileKernel();
  writeFileSync(KERNEL_WASM, bytes);
  console.log(`wrote ${KERNEL_WASM} (${bytes.length} bytes)`);
}
