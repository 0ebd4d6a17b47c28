/**
 * Compiles an AssemblyScript source to WebAssembly in memory (the build scripts of the pack
 * kernel, sim/kernel/build.ts, and of the decoder's frame scanner, protocol/framescan/build.ts,
 * and the tests that check their committed binaries are exactly what their sources give).
 */
import asc from 'assemblyscript/asc';

/**
 * The flags both modules are built with: -O3 without bounds assertions; the stub runtime
 * (nothing is allocated); SIMD; the memory imported from the host (one per pack or decoder,
 * sized by the host) and not exported; no abort import.
 */
export const ASC_FLAGS: readonly string[] = [
  '-O3',
  '--noAssert',
  '--runtime',
  'stub',
  '--enable',
  'simd',
  '--importMemory',
  '--noExportMemory',
  '--use',
  'abort=',
];

/** The bytes `source` compiles to with `flags`; throws with the compiler's messages on failure. */
export async function compileAssemblyScript(source: string, flags: readonly string[]): Promise<Uint8Array> {
  let binary: Uint8Array | null = null;
  const errors: string[] = [];
  const sink = {
    write(chunk: Uint8Array | string) {
      errors.push(typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk));
      return true;
    },
  };
  const { error } = await asc.main([source, ...flags, '--outFile', 'out.wasm'], {
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
