/**
 * The viewer in a real browser: the app built by Vite (viewer/vite.config.ts, into a temporary
 * directory), served by the `natrium view` server (its CSP on), opened in headless Debian
 * Chromium (playwright-core) at a fixed viewport, TZ=UTC, device scale factors 1 and 2. A
 * capture with a voltage spike, a fault, EVENTs, balancing and 20 s of lost telemetry loads;
 * every pane draws; a finding click sets every pane's x scale to the finding's range; the lost
 * range reaches uPlot as a gap (null), never bridged; report text with markup stays text; no
 * CSP violation. Live mode: the page receives frames from a `--mock` emulated BMS over SSE,
 * redraws, pauses and clears. Screenshots for a reviewer go to .reports/viewer-*.png.
 *
 * Needs /usr/bin/chromium (Debian package chromium; .ci/run installs it) or CHROMIUM_PATH.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../browser.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultCode, FaultTier } from '../../../protocol/messages.ts';
import { buildViewer } from '../../../viewer/server/build.ts';
import { type ViewServer, startViewServer } from '../../../viewer/server/server.ts';
import { type RunningSource, mockSource } from '../../../viewer/server/live.ts';
import { findingView } from '../../../viewer/src/ui/findings.ts';
import { generateCapture } from '../../analyzer/generate.ts';

const REPORTS = fileURLToPath(new URL('../../../.reports/', import.meta.url));
const VIEWPORT = { width: 1400, height: 2100 };
const LOST: [number, number] = [300, 320];
const SPIKE: [number, number] = [100, 106];
const HOSTILE = '<img src=x onerror="window.pwned=1">cell <b>5</b>';

const CAPTURE = generateCapture({
  seed: 3,
  ns: 24,
  nt: 8,
  phases: [
    { current_A: 0, duration_s: 30, state: 'STANDBY' },
    { current_A: -75, duration_s: 240, state: 'NORMAL' },
    { current_A: 0, duration_s: 40, state: 'NORMAL' },
    { current_A: 75, duration_s: 200, state: 'CHARGE' },
    { current_A: 0, duration_s: 30, state: 'STANDBY' },
  ],
  mutate: (t) => {
    if (t.t_s > SPIKE[0] && t.t_s < SPIKE[1]) {
      t.cellVoltage_V[5] = 4.3;
      t.faultMask = 1 << FaultCode.CELL_OVERVOLTAGE;
    }
    if (Math.abs(t.t_s - 100.2) < 0.01)
      t.events.push({ code: FaultCode.CELL_OVERVOLTAGE, tier: FaultTier.FATAL, raised: true, index: 5, value: 4.3, threshold: 4.1 });
    if (Math.abs(t.t_s - 106) < 0.01)
      t.events.push({ code: FaultCode.CELL_OVERVOLTAGE, tier: FaultTier.FATAL, raised: false, index: 5, value: 3.2, threshold: 4.1 });
    if (t.t_s > 400 && t.t_s < 480) t.balancing[7] = t.balancing[9] = 1;
  },
  drop: (_type, t) => t.t_s > LOST[0] && t.t_s < LOST[1],
});

interface PaneState {
  kind: string;
  min: number;
  max: number;
  colored: number;
}

let dir = '';
let srv: ViewServer;
let reportSrv: ViewServer;
let groupSrv: ViewServer;
let cellsSrv: ViewServer;
let liveSrv: ViewServer;
let liveSource: RunningSource;
let browser: Browser;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'natrium-viewer-'));
  const dist = await buildViewer(join(dir, 'dist'));
  writeFileSync(join(dir, 'capture.bin'), CAPTURE);
  // a report whose text carries markup: it must be shown as text
  const report = {
    schema: 'natrium.report/1',
    generator: { name: 'natrium', version: '0' },
    input: { name: HOSTILE, kind: 'capture', bytes: 1, rows: 1, duration_s: 1, messages: {}, device: null, decoder: null, late_frames: 0, seq_lost: 0 },
    profile: { name: 'default', fail_on: 'error', limits_source: HOSTILE },
    summary: {},
    result: { worst: 'error', findings: { info: 0, warning: 0, error: 1 }, waived: 0, checks: { pass: 0, fail: 1, not_evaluable: 0 }, exit_code: 1 },
    checks: [],
    findings: [
      {
        id: 'x/cell-5/0',
        check: 'envelope.cell_voltage',
        severity: 'error',
        t_start_s: 100,
        t_end_s: 106,
        message: HOSTILE,
        subject: 'cell 5',
        evidence: {},
        threshold: null,
      },
    ],
    expired_waivers: [],
  };
  writeFileSync(join(dir, 'report.json'), JSON.stringify(report));
  // six findings of one kind (check, severity, limit source): three listed, the rest one entry
  const many = Array.from({ length: 6 }, (_, k) => ({
    ...report.findings[0]!,
    id: `envelope.cell_voltage/cell-${k + 1}/0`,
    severity: 'warning',
    t_start_s: 100 + 10 * k,
    t_end_s: 104 + 10 * k,
    message: `cell ${k + 1} above the warning limit`,
    subject: `cell ${k + 1}`,
  }));
  mkdirSync(join(dir, 'group'));
  writeFileSync(
    join(dir, 'group', 'report.json'),
    JSON.stringify({
      ...report,
      input: { ...report.input, name: 'group' },
      result: { ...report.result, worst: 'warning', findings: { info: 0, warning: 6, error: 0 }, exit_code: 0 },
      findings: many,
    }),
  );
  // one finding about many cells at once (envelope's group finding): subject "cells"
  mkdirSync(join(dir, 'cells'));
  writeFileSync(
    join(dir, 'cells', 'report.json'),
    JSON.stringify({
      ...report,
      input: { ...report.input, name: 'cells' },
      result: { ...report.result, worst: 'warning', findings: { info: 0, warning: 1, error: 0 }, exit_code: 0 },
      findings: [
        {
          ...report.findings[0]!,
          id: 'envelope.cell_voltage/cells/100000',
          severity: 'warning',
          subject: 'cells',
          message: '5 cells above the RSL maximum (4.05 V) at once',
          evidence: { count: 5, subjects: '1,2,3,4,6', peak_subject: 'cell 3', first_subject: 'cell 1' },
        },
      ],
    }),
  );
  srv = await startViewServer({ distDir: dist, files: [join(dir, 'capture.bin')] });
  reportSrv = await startViewServer({ distDir: dist, files: [join(dir, 'capture.bin'), join(dir, 'report.json')] });
  groupSrv = await startViewServer({ distDir: dist, files: [join(dir, 'capture.bin'), join(dir, 'group', 'report.json')] });
  cellsSrv = await startViewServer({ distDir: dist, files: [join(dir, 'capture.bin'), join(dir, 'cells', 'report.json')] });
  liveSource = await mockSource('default', 115200, 20);
  liveSrv = await startViewServer({ distDir: dist, files: [], live: liveSource, liveSettings: { window_s: 60 } });
  browser = await launchChromium({ ...process.env, TZ: 'UTC' });
  mkdirSync(REPORTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await srv?.close();
  await reportSrv?.close();
  await groupSrv?.close();
  await cellsSrv?.close();
  await liveSrv?.close();
  await liveSource?.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Opens the viewer; collects page errors and console errors (a CSP violation is one; so is any
 * request answered 404: natrium view answers live.json and files.json, which the page asks for to
 * learn its mode, in every mode; a favicon it does not serve would be one too).
 */
async function open(url: string, deviceScaleFactor: number, viewport = VIEWPORT): Promise<{ page: Page; errors: string[] }> {
  const ctx = await browser.newContext({ viewport, deviceScaleFactor, timezoneId: 'UTC' });
  const page = await ctx.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const at = m.location().url;
    errors.push(`${m.text()} (${at})`);
  });
  await page.goto(url);
  await page.waitForFunction(
    () => {
      const v = (window as unknown as { natriumViewer?: { ready: boolean; error: string | null; report: unknown } }).natriumViewer;
      return v !== undefined && ((v.ready && v.report !== null) || v.error !== null);
    },
    null,
    { timeout: 60_000 },
  );
  return { page, errors };
}

/** Every pane's x scale and how many coloured (not grey/white) pixels its plot area has. */
function panes(page: Page): Promise<PaneState[]> {
  return page.evaluate(async () => {
    type U = { scales: { x: { min: number; max: number } }; ctx: CanvasRenderingContext2D; bbox: { left: number; top: number; width: number; height: number } };
    const app = (window as unknown as { natriumViewer: { plots: { idle: Promise<void>; panes: { def: { kind: string }; u: U }[] } } }).natriumViewer;
    await app.plots.idle;
    await new Promise((r) => requestAnimationFrame(() => r(null)));
    return app.plots.panes.map((p) => {
      const { left, top, width, height } = p.u.bbox;
      const px = p.u.ctx.getImageData(Math.round(left), Math.round(top), Math.round(width), Math.round(height)).data;
      let colored = 0;
      for (let i = 0; i < px.length; i += 4) {
        const spread = Math.max(px[i]!, px[i + 1]!, px[i + 2]!) - Math.min(px[i]!, px[i + 1]!, px[i + 2]!);
        if (px[i + 3]! > 128 && spread > 40) colored++;
      }
      return { kind: p.def.kind, min: p.u.scales.x.min, max: p.u.scales.x.max, colored };
    });
  });
}

describe('viewer in Chromium', () => {
  for (const dpr of [1, 2]) {
    it(`loads a capture and draws every pane (device scale ${dpr})`, async () => {
      const { page, errors } = await open(srv.url, dpr);
      const app = await page.evaluate(() => {
        const v = (
          window as unknown as {
            natriumViewer: { error: string | null; summary: { rows: number; ns: number; events: unknown[] }; report: { findings: unknown[] } };
          }
        ).natriumViewer;
        return { error: v.error, rows: v.summary.rows, ns: v.summary.ns, events: v.summary.events.length, findings: v.report.findings.length };
      });
      expect(app.error).toBeNull();
      expect(app.rows).toBeGreaterThan(4000);
      expect(app.ns).toBe(24);
      expect(app.events).toBe(2);
      expect(app.findings).toBeGreaterThan(3);
      const ps = await panes(page);
      expect(ps.map((p) => p.kind)).toEqual(['pack', 'soc', 'cells', 'cellmap', 'temps', 'state', 'lanes', 'sop', 'balancing', 'events']);
      for (const p of ps) expect([p.kind, p.colored > 20 * dpr]).toEqual([p.kind, true]);
      // the measure table gives the SOC in percent, as its axis does (a fraction once); volts as volts
      await page.waitForSelector('#measure tbody tr');
      const rows = await page.$$eval('#measure tbody tr', (trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent ?? '')));
      const [soc, volts] = ['SOC estimate %', 'pack voltage V'].map((label) => rows.find((r) => r[0] === label));
      expect(rows.map((r) => r[0])).toContain('SOC estimate %');
      for (const k of [4, 5, 6]) expect(Number(soc![k])).toBeGreaterThan(1);
      expect(Number(soc![6])).toBeLessThanOrEqual(100);
      expect(Number(volts![5])).toBeGreaterThan(24 * 1.5);
      await page.screenshot({ path: join(REPORTS, `viewer-dpr${dpr}.png`), fullPage: true });
      expect(errors).toEqual([]);
      await page.context().close();
    }, 90_000);
  }

  it('zooms every pane to a finding on click and shades it; lost telemetry stays a gap', async () => {
    const { page, errors } = await open(srv.url, 1);
    const f = await page.evaluate(() => {
      const v = (window as unknown as { natriumViewer: { report: { findings: { check: string; message: string; t_start_s: number; t_end_s: number }[] } } })
        .natriumViewer;
      return v.report.findings.find((x) => x.check === 'envelope.cell_voltage')!;
    });
    expect(f.t_start_s).toBeGreaterThanOrEqual(SPIKE[0]);
    await page.locator('.finding', { hasText: f.message }).first().click();
    const [w0, w1] = findingView(f as Parameters<typeof findingView>[0]);
    const ps = await panes(page);
    for (const p of ps) {
      expect(p.min).toBeCloseTo(w0, 6);
      expect(p.max).toBeCloseTo(w1, 6);
    }
    expect(await page.evaluate(() => (window as unknown as { natriumViewer: { plots: { selected: unknown } } }).natriumViewer.plots.selected)).toEqual({
      t0: f.t_start_s,
      t1: f.t_end_s,
      color: expect.any(String),
    });
    await page.screenshot({ path: join(REPORTS, 'viewer-finding.png'), fullPage: true });

    // around the lost range: the data uPlot draws has a null between the last point before and the first after
    await page.evaluate(
      ([a, b]) => (window as unknown as { natriumViewer: { plots: { setView(a: number, b: number): void } } }).natriumViewer.plots.setView(a!, b!),
      [LOST[0] - 30, LOST[1] + 30],
    );
    const gaps = await page.evaluate(([g0, g1]) => {
      const v = (
        window as unknown as {
          natriumViewer: { plots: { idle: Promise<void>; panes: { def: { kind: string }; u: { data: (number | null | undefined)[][] } }[] } };
        }
      ).natriumViewer;
      return v.plots.idle.then(() =>
        v.plots.panes
          .filter((p) => ['pack', 'cells', 'temps', 'sop'].includes(p.def.kind))
          .map((p) => {
            const [x, ...ys] = p.u.data as number[][];
            let bridged = 0;
            let nulls = 0;
            for (const y of ys) {
              let last = NaN;
              for (let i = 0; i < x!.length; i++) {
                if (y[i] === undefined) continue;
                if (y[i] === null) {
                  last = NaN;
                  if (x![i]! > g0! && x![i]! < g1!) nulls++;
                  continue;
                }
                if (last < g0! + 0.05 && x![i]! > g1! - 0.05) bridged++;
                last = x![i]!;
              }
            }
            return { kind: p.def.kind, bridged, nulls };
          }),
      );
    }, LOST);
    for (const g of gaps) expect(g).toEqual({ kind: g.kind, bridged: 0, nulls: expect.any(Number) });
    expect(gaps.every((g) => g.nulls > 0)).toBe(true);
    // the heatmap paints nothing in the lost range, and paints either side of it
    const heat = await page.evaluate(
      (ts) => {
        type U = { valToPos(v: number, s: string, c: boolean): number; ctx: CanvasRenderingContext2D; bbox: { top: number; height: number } };
        const v = (window as unknown as { natriumViewer: { plots: { panes: { def: { kind: string }; u: U }[] } } }).natriumViewer;
        const u = v.plots.panes.find((p) => p.def.kind === 'cellmap')!.u;
        return ts.map((t) => {
          const px = u.ctx.getImageData(Math.round(u.valToPos(t, 'x', true)), Math.round(u.bbox.top), 1, Math.round(u.bbox.height)).data;
          let painted = 0;
          for (let i = 0; i < px.length; i += 4)
            if (px[i + 3]! > 128 && Math.max(px[i]!, px[i + 1]!, px[i + 2]!) - Math.min(px[i]!, px[i + 1]!, px[i + 2]!) > 40) painted++;
          return painted;
        });
      },
      [LOST[0] - 10, (LOST[0] + LOST[1]) / 2, LOST[1] + 10],
    );
    expect(heat[1]).toBe(0);
    expect(heat[0]).toBeGreaterThan(0);
    expect(heat[2]).toBeGreaterThan(0);
    await page.screenshot({ path: join(REPORTS, 'viewer-gap.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.context().close();
  }, 90_000);

  it('streams live telemetry from --mock into the panes; pause holds the picture, clear restarts it', async () => {
    const ctx = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1, timezoneId: 'UTC' });
    const page = await ctx.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(liveSrv.url);
    type Live = { live: { redraws: number[]; paused: boolean; bytes: number }; summary: { rows: number; ns: number } | null };
    const state = (): Promise<{ redraws: number; rows: number; ns: number; bytes: number }> =>
      page.evaluate(() => {
        const v = (window as unknown as { natriumViewer: Live }).natriumViewer;
        return { redraws: v.live.redraws.length, rows: v.summary?.rows ?? 0, ns: v.summary?.ns ?? 0, bytes: v.live.bytes };
      });
    await page.waitForFunction(() => ((window as unknown as { natriumViewer: Live }).natriumViewer.live?.redraws.length ?? 0) >= 3, null, { timeout: 60_000 });
    const s1 = await state();
    expect(s1.rows).toBeGreaterThan(10);
    expect(s1.ns).toBeGreaterThan(10);
    const ps = await panes(page);
    for (const p of ps.filter((x) => ['pack', 'cells', 'cellmap', 'temps'].includes(x.kind))) expect([p.kind, p.colored > 20]).toEqual([p.kind, true]);
    await page.screenshot({ path: join(REPORTS, 'viewer-live.png'), fullPage: true });

    await page.click('#live-pause');
    const paused = await state();
    await page.waitForTimeout(1500);
    const later = await state();
    expect(later.redraws).toBeLessThanOrEqual(paused.redraws + 1); // one hand-over may have been under way
    expect(later.bytes).toBeGreaterThan(paused.bytes); // frames keep arriving while paused
    await page.click('#live-pause');
    await page.click('#live-clear');
    await page.waitForFunction((n) => (window as unknown as { natriumViewer: Live }).natriumViewer.live.redraws.length > n + 2, later.redraws, {
      timeout: 30_000,
    });
    expect(errors).toEqual([]);
    await ctx.close();
  }, 120_000);

  // the header wraps to two or three rows on a narrow window (and live mode adds one); the side
  // list once stuck at a fixed 60 px, its Findings heading under a 90 px header
  for (const [what, url, width] of [
    ['a capture', () => srv.url, 900],
    ['live telemetry', () => liveSrv.url, 900],
  ] as const) {
    it(`keeps the side list below the header, whatever its height (${what}, ${width} px wide)`, async () => {
      const ctx = await browser.newContext({ viewport: { width, height: 700 }, deviceScaleFactor: 1, timezoneId: 'UTC' });
      const page = await ctx.newPage();
      await page.goto(url());
      await page.waitForSelector('aside h2');
      await page.waitForTimeout(1500);
      await page.mouse.move(100, 400);
      await page.mouse.wheel(0, 1500);
      await page.waitForTimeout(300);
      const r = await page.evaluate(() => {
        const box = (q: string) => document.querySelector(q)!.getBoundingClientRect();
        return {
          header: box('header').bottom,
          aside: box('aside').top,
          asideBottom: box('aside').bottom,
          h2: box('aside h2').top,
          scrolled: window.scrollY,
          vh: innerHeight,
        };
      });
      expect(r.scrolled).toBeGreaterThan(300);
      expect(r.header).toBeGreaterThan(60);
      expect(r.aside, JSON.stringify(r)).toBeGreaterThanOrEqual(r.header);
      expect(r.h2, JSON.stringify(r)).toBeGreaterThanOrEqual(r.header);
      expect(r.asideBottom, JSON.stringify(r)).toBeLessThanOrEqual(r.vh);
      await ctx.close();
    }, 90_000);
  }

  // beside a fixed 380 px side list, a 700 px window left the plots ~300 px and a 480 px one
  // clipped them to a sliver
  for (const width of [480, 700]) {
    it(`lays out one column on a narrow window (${width} px): the findings first in a box of their own, the plots the whole width`, async () => {
      const { page, errors } = await open(srv.url, 1, { width, height: 800 });
      const r = await page.evaluate(async () => {
        const app = (window as unknown as { natriumViewer: { plots: { idle: Promise<void> } } }).natriumViewer;
        await app.plots.idle;
        const box = (q: string) => document.querySelector(q)!.getBoundingClientRect();
        const aside = document.querySelector('aside')!;
        const canvas = document.querySelector('.pane canvas')!.getBoundingClientRect();
        return {
          aside: box('aside'),
          pane: box('.pane'),
          canvasRight: canvas.right,
          findings: document.querySelectorAll('#findings .finding').length,
          asideScrolls: aside.scrollHeight > aside.clientHeight,
          scrollWidth: document.documentElement.scrollWidth,
          vw: innerWidth,
          vh: innerHeight,
        };
      });
      const at = JSON.stringify(r);
      expect(r.findings, at).toBeGreaterThan(3);
      expect(r.aside.bottom, at).toBeLessThanOrEqual(r.pane.top);
      expect(r.aside.height, at).toBeLessThanOrEqual(0.4 * r.vh + 1);
      expect(r.asideScrolls, at).toBe(true);
      expect(r.pane.width, at).toBeGreaterThan(r.vw - 30);
      expect(r.canvasRight, at).toBeLessThanOrEqual(r.pane.right);
      expect(r.canvasRight, at).toBeGreaterThan(r.pane.right - 80);
      expect(r.scrollWidth, at).toBeLessThanOrEqual(r.vw);
      await page.screenshot({ path: join(REPORTS, `viewer-${width}px.png`) });
      expect(errors).toEqual([]);
      await page.context().close();
    }, 90_000);
  }

  it('shows report text as text, never as markup', async () => {
    const { page, errors } = await open(reportSrv.url, 1);
    const got = await page.evaluate(() => ({
      imgs: document.querySelectorAll('#findings img, #findings b').length,
      text: document.getElementById('findings')!.textContent,
      pwned: (window as unknown as { pwned?: number }).pwned ?? 0,
      findings: (window as unknown as { natriumViewer: { report: { findings: unknown[] } } }).natriumViewer.report.findings.length,
    }));
    expect(got.findings).toBe(1);
    expect(got.imgs).toBe(0);
    expect(got.pwned).toBe(0);
    expect(got.text).toContain(HOSTILE);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 90_000);

  it('lists three findings of a kind and folds the rest into one entry that opens to list them', async () => {
    const { page, errors } = await open(groupSrv.url, 1);
    const top = await page.$$eval('#findings > ol.findings > li', (lis) => lis.map((li) => `${li.className}|${li.querySelector('.msg')?.textContent}`));
    expect(top).toEqual([
      'finding sev-warning|cell 1 above the warning limit',
      'finding sev-warning|cell 2 above the warning limit',
      'finding sev-warning|cell 3 above the warning limit',
      'finding-group sev-warning|3 more like the above, cells 4, 5, 6',
    ]);
    const inner = page.locator('.finding-group .finding');
    expect(await inner.count()).toBe(3);
    expect(await inner.first().isVisible()).toBe(false);
    await page.click('.finding-group summary');
    expect(await inner.nth(1).isVisible()).toBe(true);
    await inner.nth(1).click();
    expect(await page.evaluate(() => (window as unknown as { natriumViewer: { plots: { selected: unknown } } }).natriumViewer.plots.selected)).toEqual({
      t0: 140,
      t1: 144,
      color: expect.any(String),
    });
    await page.screenshot({ path: join(REPORTS, 'viewer-findings-group.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.context().close();
  }, 90_000);

  it('shows, for a finding about many cells, the cell that went furthest', async () => {
    const { page, errors } = await open(cellsSrv.url, 1);
    type Panes = { natriumViewer: { layout: { panes: { kind: string; chosen?: number[] }[] } } };
    const chosen = () => page.evaluate(() => (window as unknown as Panes).natriumViewer.layout.panes.find((p) => p.kind === 'cells')?.chosen ?? null);
    expect((await chosen()) ?? []).not.toContain(3);
    await page.locator('.finding', { hasText: '5 cells above the RSL maximum' }).first().click();
    expect(await chosen()).toContain(3);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 90_000);
});
