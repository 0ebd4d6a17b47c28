/**
 * The sim core in a real browser (issue 11 item 5): test/sim/browser/entry.ts bundled by Vite as
 * the viewer bundles its code (the JSON presets through Vite's JSON import), loaded into headless
 * Debian Chromium (playwright-core). There it builds the default scenario's chemistry from the
 * JSON text the page fetched, evaluates its OCV (the sim's tables and the analyser's
 * temperature-corrected model), resistance, capacity factor, limits and validity envelope, loads
 * every chemistry preset, and validates a scenario with an inline BMS section and a fault into
 * typed objects. Checks that none of it needs a Node API and that every value equals Node's.
 *
 * Needs /usr/bin/chromium (Debian package chromium; .ci/run installs it) or CHROMIUM_PATH.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRESETS } from '../../../sim/chemistry.ts';
import { MODULE_PAGE, type PageServer, bundle, launchChromium, pageResult, resultScript, servePages } from '../../browser.ts';
import { type SimCoreResult, simCore } from './entry.ts';

const ENTRY = fileURLToPath(new URL('./entry.ts', import.meta.url));
const CHEMISTRY = 'naion-prismatic-150ah';
const CHEMISTRY_LABEL = `sim/chemistry/${CHEMISTRY}.json`;
const CHEMISTRY_TEXT = readFileSync(fileURLToPath(new URL(`../../../${CHEMISTRY_LABEL}`, import.meta.url)), 'utf8');

/** A scenario with no file behind it: presets by name, the BMS section inline, one fault. */
const SCENARIO = {
  name: 'browser',
  chemistry: CHEMISTRY,
  pack: { ns: 12, np: 2, spread: { capacity_rel_sigma: 0.01 } },
  ambient: 'hot-summer-day',
  initial: { soc: 0.6, temperature_C: 30 },
  dt_s: 0.5,
  steps: ['Discharge at 0.5C until 3.0 V', 'Rest for 10 minutes', 'Charge at 0.3C until 3.9 V'],
  bms: { scheduler: { fast_period_ms: 50 }, balancing: { enabled: false } },
  faults: [{ fault: 'ntc_open', cell: 5, at_s: 60 }],
};

const PAGE_SCRIPT = resultScript(
  "import { simCore } from './sim.js';",
  `const text = await (await fetch('/chemistry.json')).text();
  window.result = JSON.parse(JSON.stringify(simCore(text, ${JSON.stringify(CHEMISTRY_LABEL)}, ${JSON.stringify(SCENARIO)})));`,
);

let server: PageServer;
let browser: Browser;

beforeAll(async () => {
  server = await servePages({
    '/': ['text/html', MODULE_PAGE],
    '/page.js': ['text/javascript', PAGE_SCRIPT],
    '/sim.js': ['text/javascript', await bundle(ENTRY, 'sim')],
    '/chemistry.json': ['application/json', CHEMISTRY_TEXT],
  });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('sim core in Chromium', () => {
  it("builds a chemistry from its JSON text and evaluates its OCV and limits as Node does; loads the presets and a scenario's BMS section", async () => {
    const { result: got, errors } = await pageResult<SimCoreResult>(browser, server.base + '/');
    expect(errors).toEqual([]);
    expect(got.error).toBeUndefined();

    const want = JSON.parse(JSON.stringify(simCore(CHEMISTRY_TEXT, CHEMISTRY_LABEL, SCENARIO))) as SimCoreResult;
    // Node's values are real ones: a rising OCV inside the window, limits, every preset, a typed BMS
    const ocv = want.chemistry.ocv_V;
    expect(ocv.length).toBe(21);
    for (let i = 1; i < ocv.length; i++) expect(ocv[i]!).toBeGreaterThanOrEqual(ocv[i - 1]!);
    expect(ocv[0]!).toBeLessThan(ocv[20]!);
    expect(want.chemistry.window_V[0]).toBeLessThanOrEqual(ocv[0]! + 0.005);
    expect(want.chemistry.limits).toMatchObject({ charge_current_A: expect.any(Number) as number, cutoff_temperature_C: expect.any(Number) as number });
    expect(want.presets.map((p) => p.name)).toEqual([...PRESETS]);
    expect(want.scenario.pack).toBe('12s2p');
    expect(want.scenario.bms).toMatchObject({ scheduler: { fast_period_ms: 50 }, balancing: { enabled: false } });
    expect(want.scenario.faults).toEqual([{ fault: 'ntc_open', cell: 5, at_s: 60, duration_s: null }]);
    // and the browser's are the same, to the last bit
    expect(got).toEqual(want);
  });
});
