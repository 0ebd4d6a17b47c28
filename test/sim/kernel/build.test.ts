/**
 * The committed sim/kernel/pack.wasm is exactly what its AssemblyScript source compiles to
 * (same compiler version and flags as `npm run build:kernel`): the binary cannot drift.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KERNEL_WASM, compileKernel } from '../../../sim/kernel/build.ts';

describe('kernel build', () => {
  it('reproduces the committed pack.wasm byte for byte', async () => {
    const built = await compileKernel();
    const committed = new Uint8Array(readFileSync(KERNEL_WASM));
    expect(built.length).toBe(committed.length);
    expect(Buffer.from(built).equals(Buffer.from(committed)), 'run `npm run build:kernel` and commit sim/kernel/pack.wasm').toBe(true);
  });
});
