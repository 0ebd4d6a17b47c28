/**
 * The committed protocol/framescan/wasm.ts holds exactly what assembly/framescan.ts compiles to
 * (same compiler version and flags as `npm run build:framescan`): the binary cannot drift.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FRAMESCAN_MODULE, compileFrameScan, frameScanModuleText } from '../../../protocol/framescan/build.ts';

describe('frame scanner build', () => {
  it('reproduces the committed wasm.ts byte for byte', async () => {
    const built = await compileFrameScan();
    expect(readFileSync(FRAMESCAN_MODULE, 'utf8'), 'run `npm run build:framescan` and commit protocol/framescan/wasm.ts').toBe(frameScanModuleText(built));
  });

  it('stays small enough for a synchronous compile on a browser main thread (4 KiB)', async () => {
    expect((await compileFrameScan()).length).toBeLessThanOrEqual(4096);
  });
});
