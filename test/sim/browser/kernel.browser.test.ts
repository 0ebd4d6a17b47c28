/**
 * The pack kernel in a real browser (issue 11 item 7): test/sim/browser/kernel-entry.ts bundled
 * by Vite as the viewer bundles its code, loaded into headless Debian Chromium
 * (playwright-core). The kernel is embedded (sim/kernel/wasm.ts): no file is fetched. Over
 * 4 KiB, it cannot be compiled synchronously on the main thread, so packs run on the JS path
 * until kernelReady() has compiled it; from then on they run on the kernel, bit for bit equal
 * to the JS path in the page and to both paths in Node.
 *
 * Needs /usr/bin/chromium (Debian package chromium; .ci/run installs it) or CHROMIUM_PATH.
 */
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODULE_PAGE, type PageServer, bundle, launchChromium, pageResult, resultScript, servePages } from '../../browser.ts';
import { type KernelRunResult, kernelRun } from './kernel-entry.ts';

const ENTRY = fileURLToPath(new URL('./kernel-entry.ts', import.meta.url));

const PAGE_SCRIPT = resultScript("import { kernelRun } from './kernel.js';", 'window.result = await kernelRun();');

let server: PageServer;
let browser: Browser;
let bundled: string;

beforeAll(async () => {
  bundled = await bundle(ENTRY, 'kernel');
  server = await servePages({
    '/': ['text/html', MODULE_PAGE],
    '/page.js': ['text/javascript', PAGE_SCRIPT],
    '/kernel.js': ['text/javascript', bundled],
  });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('pack kernel in Chromium', () => {
  it('runs packs on the JS path until kernelReady(), then on the kernel, bit for bit equal to the JS path and to Node', async () => {
    const { result: got, errors } = await pageResult<KernelRunResult>(browser, server.base + '/');
    expect(errors).toEqual([]);
    expect(got.error).toBeUndefined();
    expect(got.availableBefore).toBe(false);
    expect(got.kernelBefore).toBe('js');
    expect(got.ready).toBe(true);

    const want = await kernelRun();
    expect(want.availableBefore).toBe(true); // Node compiles on the spot
    expect(want.kernelBefore).toBe('wasm');
    expect(got.cases.map((c) => `${c.chemistry} ${c.split}`)).toEqual(want.cases.map((c) => `${c.chemistry} ${c.split}`));
    for (const [i, c] of got.cases.entries()) {
      const label = `${c.chemistry} ${c.split}`;
      // the kernel and the JS path, after every step, in the browser and in Node
      expect(c.differing, label).toBe(0);
      expect(c.compared, label).toBeGreaterThan(1500 * 15 * 9);
      expect(want.cases[i]!.differing, label).toBe(0);
      // the same physics as in Node: a 5s pack near 2.5 V a cell, and Node's state (the seeded
      // spread goes through Math.log and Math.sin, which engines may round differently)
      const node = want.cases[i]!.state;
      expect(c.state[2]!, label).toBeGreaterThan(10);
      expect(c.state[2]!, label).toBeLessThan(20);
      expect(c.state.length, label).toBe(node.length);
      for (const [j, v] of c.state.entries()) expect(Math.abs(v - node[j]!), `${label} [${j}]`).toBeLessThanOrEqual(1e-9 * Math.max(Math.abs(v), 1e-3));
    }
  });

  it('fetches no wasm file: the bundle carries the kernel', () => {
    expect(bundled).toContain('KERNEL_WASM_BASE64');
    expect(bundled).not.toMatch(/\.wasm['"]/);
  });
});
