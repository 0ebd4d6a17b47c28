/**
 * The analyser in a real browser: timelineFromBytes + analyze + the built-in default profile +
 * a chemistry JSON (./entry.ts), bundled by Vite as the viewer will bundle them, loaded into
 * headless Debian Chromium (driven by playwright-core), where they analyse a capture fetched
 * from the test's server. Checks that the analyser needs no Node API and that its report there
 * is the one Node makes of the same bytes (same `today`, so nothing may differ).
 *
 * Needs /usr/bin/chromium (Debian package chromium; .ci/run installs it) or CHROMIUM_PATH.
 */
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODULE_PAGE, type PageServer, bundle, launchChromium, pageResult, resultScript, servePages } from '../../browser.ts';
import { generateCapture } from '../generate.ts';
import { analyzeBytes } from './entry.ts';

const ENTRY = fileURLToPath(new URL('./entry.ts', import.meta.url));
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

const PAGE_SCRIPT = resultScript(
  "import { analyzeBytes } from './analyzer.js';",
  `const res = await fetch('/capture.bin');
  const bytes = new Uint8Array(await res.arrayBuffer());
  window.result = JSON.parse(JSON.stringify(analyzeBytes(bytes, ${JSON.stringify(NAME)}, ${JSON.stringify(TODAY)})));`,
);

let server: PageServer;
let browser: Browser;

beforeAll(async () => {
  server = await servePages({
    '/': ['text/html', MODULE_PAGE],
    '/page.js': ['text/javascript', PAGE_SCRIPT],
    '/analyzer.js': ['text/javascript', await bundle(ENTRY, 'analyzer')],
    '/capture.bin': ['application/octet-stream', CAPTURE],
  });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('analyser in Chromium', () => {
  it('makes the report of a capture that Node makes', async () => {
    const { result: got, errors } = await pageResult<Record<string, unknown>>(browser, server.base + '/');
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
