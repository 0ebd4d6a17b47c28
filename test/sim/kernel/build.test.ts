/**
 * The committed sim/kernel/wasm.ts holds exactly what the AssemblyScript kernel compiles to
 * (same compiler version and flags as `npm run build:kernel`): the binary cannot drift.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KERNEL_MODULE, compileKernel, kernelModuleText } from '../../../sim/kernel/build.ts';
import { KERNEL_WASM_BASE64 } from '../../../sim/kernel/wasm.ts';

describe('kernel build', () => {
  it('reproduces the committed wasm.ts byte for byte', async () => {
    const built = await compileKernel();
    expect(readFileSync(KERNEL_MODULE, 'utf8'), 'run `npm run build:kernel` and commit sim/kernel/wasm.ts').toBe(kernelModuleText(built));
    // and the module's constant decodes to those bytes (what sim/kernel/index.ts compiles)
    const decoded = Uint8Array.from(atob(KERNEL_WASM_BASE64), (c) => c.charCodeAt(0));
    expect(decoded).toEqual(built);
    expect(WebAssembly.validate(decoded)).toBe(true);
  });
});
