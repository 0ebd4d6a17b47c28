/**
 * The analyser in a real browser: timelineFromBytes + analyze + the built-in default profile +
 * a chemistry JSON (./entry.ts), bundled by Vite as the viewer will bundle them, loaded into
 * headless Debian Chromium (driven by playwright-core), where they analyse a capture fetched
 * from the test's server. Checks that the analyser needs no Node API and that its report there
 * is the one Node makes of the same bytes (same `today`, so nothing may differ).
 *
 * Needs /usr/bin/chromium (Debian package chromium; .ci/run installs it) or CHROMIUM_PATH.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCapture } from '../generate.ts';
import { analyzeBytes } from './entry.ts';

const ENTRY = fileURLToPath(new URL('./entry.ts', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const TODAY = '2026-12-03';
const NAME = 'browser.nat';

/** A short session: rest, discharge, rest, charge, rest (~3 min at 10 Hz, a few hundred kB). */
const CAPTURE = generateCapture({
  seed: 7,
  phases: [
    { current_A: 0, duration_s: 20, state: 'STANDBY' },
    { current_A: -75, duration_s: 60, state: 'NORMAL' },
    { current_A: 0, duration_s: 30, state: 'NORMAL' },
    { current_A: 75, duration_s: 60, state: 'CHARGE' },
    { current_A: 0, duration_s: 20, state: 'STANDBY' },
  ],
});

const PAGE_SCRIPT = `
import { analyzeBytes } from './analyzer.js';
try {
  const res = await fetch('/capture.bin');
  const bytes = new Uint8Array(await res.arrayBuffer());
  window.result = JSON.parse(JSON.stringify(analyzeBytes(bytes, ${JSON.stringify(NAME)}, ${JSON.stringify(TODAY)})));
} catch (e) {
  window.result = { error: String(e && e.stack || e) };
}
`;

let server: Server;
let browser: Browser;
let base = '';

beforeAll(async () => {
  const built = await build({
    configFile: false,
    logLevel: 'silent',
    build: { write: false, minify: false, lib: { entry: ENTRY, formats: ['es'], fileName: 'analyzer' } },
  });
  const outputs = Array.isArray(built) ? built : [built];
  const chunk = outputs.flatMap((o) => ('output' in o ? o.output : [])).find((c) => c.type === 'chunk');
  if (chunk === undefined || chunk.type !== 'chunk') throw new Error('vite produced no chunk');
  const files: Record<string, [string, string | Uint8Array]> = {
    '/': ['text/html', '<!doctype html><meta charset="utf-8"><script type="module" src="/page.js"></script>'],
    '/page.js': ['text/javascript', PAGE_SCRIPT],
    '/analyzer.js': ['text/javascript', chunk.code],
    '/capture.bin': ['application/octet-stream', CAPTURE],
  };
  server = createServer((req, res) => {
    const f = files[req.url ?? ''];
    res.writeHead(f ? 200 : 404, { 'content-type': f ? f[0] : 'text/plain' });
    res.end(f ? f[1] : 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

describe('analyser in Chromium', () => {
  it('makes the report of a capture that Node makes', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(base + '/');
    await page.waitForFunction(() => (window as { result?: unknown }).result !== undefined, null, { timeout: 60_000 });
    const got = (await page.evaluate(() => (window as unknown as { result: unknown }).result)) as Record<string, unknown> & { error?: string };
    await page.close();
    expect(errors).toEqual([]);
    expect(got.error).toBeUndefined();

    // the same bytes in Node, through JSON as the page's result came
    const want = JSON.parse(JSON.stringify(analyzeBytes(CAPTURE, NAME, TODAY))) as Record<string, unknown> & {
      input: { rows: number; device: unknown };
      result: { checks: { pass: number; not_evaluable: number } };
    };
    expect(want.input.rows).toBeGreaterThan(1000);
    expect(want.input.device).not.toBeNull();
    expect(want.result.checks.pass).toBeGreaterThan(10);
    expect(got).toEqual(want);
  });
});
