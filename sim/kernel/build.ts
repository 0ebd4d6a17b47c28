/**
 * Compiles the AssemblyScript pack kernel (sim/kernel/assembly/pack.ts) to sim/kernel/pack.wasm.
 * `npm run build:kernel` writes the file; test/sim/kernel/build.test.ts compiles again in
 * memory and checks the committed binary is exactly what its source gives.
 *
 * Flags: -O3 without bounds assertions; the stub runtime (the kernel allocates nothing);
 * SIMD; the memory imported from the host (one per pack, sized by the host) and not
 * exported; no abort import.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

export const KERNEL_SOURCE = fileURLToPath(new URL('./assembly/pack.ts', import.meta.url));
export const KERNEL_WASM = fileURLToPath(new URL('./pack.wasm', import.meta.url));

export const ASC_FLAGS: readonly string[] = [
  '-O3',
  '--noAssert',
  '--runtime', 'stub',
  '--enable', 'simd',
  '--importMemory',
  '--noExportMemory',
  '--use', 'abort=',
];

/** Compile the kernel in memory; the bytes of pack.wasm. */
export async function compileKernel(): Promise<Uint8Array> {
  let binary: Uint8Array | null = null;
  const errors: string[] = [];
  const sink = {
    write(chunk: Uint8Array | string) {
      errors.push(typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk));
      return true;
    },
  };
  const { error } = await asc.main([KERNEL_SOURCE, ...ASC_FLAGS, '--outFile', 'pack.wasm'], {
    stdout: sink as never,
    stderr: sink as never,
    writeFile(name, contents) {
      if (name.endsWith('.wasm')) binary = typeof contents === 'string' ? new TextEncoder().encode(contents) : contents;
    },
  });
  if (error) throw new Error(`asc failed: ${error.message}\n${errors.join('')}`);
  if (!binary) throw new Error(`asc wrote no binary\n${errors.join('')}`);
  return binary;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const bytes = await compileKernel();
  writeFileSync(KERNEL_WASM, bytes);
  console.log(`wrote ${KERNEL_WASM} (${bytes.length} bytes)`);
}
