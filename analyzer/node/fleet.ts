/**
 * `natrium fleet` as a library call: many captures analysed in parallel, one worker thread per
 * core (analyzer/node/fleet-worker.ts), each holding one capture at a time (bounded memory);
 * each capture's tables and findings go into the partitioned dataset (analyzer/DATASET.md) and
 * its manifest into DATASET/_fleet/. The fleet report (fleet-report.json / .md in the dataset)
 * is rebuilt from all manifests, so it covers the whole dataset and a re-run duplicates nothing.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { Worker } from 'node:worker_threads';
import { InputError } from '../../sim/errors.ts';
import { makeOutputDir } from './output.ts';
import { SEVERITIES, type Severity, naturalCompare, severityRank } from '../findings.ts';
import { Decoder } from '../../protocol/decoder.ts';
import { looksLikeTrace } from '../timeline/trace.ts';
import { md, mdCode } from '../report/markdown.ts';
import { type CaptureManifest, MANIFEST_DIR, WORST_FINDINGS } from './fleet-job.ts';
import type { WorkerAnswer, WorkerInit } from './fleet-worker.ts';

const WORKER = new URL('./fleet-worker.mjs', import.meta.url);

/** Bytes read from the start of a file found below a DIR to tell whether it is a natrium log. */
const SNIFF_BYTES = 1 << 16;

/** What `expandInputs` found: the inputs, and what it left out of the directories it walked. */
export interface Inputs {
  paths: string[];
  /** Files below a DIR that are not natrium logs, and datasets below it, with why. */
  skipped: { path: string; why: string }[];
}

/**
 * Every file below `dir` (in name order) that is a natrium log by its content: a trace's header,
 * or a valid frame in its first 64 KiB (an empty file too, so that it is reported). Left out,
 * and listed in `skipped`: other files (notes, reports, images), natrium datasets (a directory
 * with `_fleet/`: an earlier `--out`) and hidden entries (`.git`).
 */
function walk(dir: string, into: Inputs): void {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => naturalCompare(a.name, b.name))) {
    if (e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (existsSync(join(p, MANIFEST_DIR))) into.skipped.push({ path: p, why: 'a natrium dataset' });
      else walk(p, into);
    } else if (e.isFile()) {
      const why = notALog(p);
      if (why === null) into.paths.push(p);
      else into.skipped.push({ path: p, why });
    }
  }
}

/** Null when the file is (or may be) a natrium capture or trace, else why not. */
function notALog(path: string): string | null {
  const head = new Uint8Array(SNIFF_BYTES);
  const fd = openSync(path, 'r');
  let n: number;
  try {
    n = readSync(fd, head, 0, SNIFF_BYTES, 0);
  } finally {
    closeSync(fd);
  }
  if (n === 0 || looksLikeTrace(head.subarray(0, n))) return null;
  const d = new Decoder({ reuse: true, onMessage: () => {} });
  d.push(head.subarray(0, n));
  if (n < SNIFF_BYTES) d.finish();
  return d.counters.frames > 0 ? null : `no natrium frame in its first ${n < SNIFF_BYTES ? n : '64 Ki'} bytes and no trace header`;
}

/**
 * Inputs from DIRs, globs whose last segment has * or ? (e.g. logs/*.bin) and file names. A DIR
 * gives the natrium logs below it (see `walk`); a glob or a name gives what it names, each
 * analysed or reported unreadable. Files below `exclude` (the dataset, when it sits inside DIR)
 * are left out.
 */
export function expandInputs(specs: readonly string[], exclude?: string): Inputs {
  const found: Inputs = { paths: [], skipped: [] };
  for (const s of specs) {
    if (/[*?]/.test(basename(s))) {
      const dir = dirname(s);
      const re = new RegExp(
        `^${basename(s)
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*')
          .replace(/\?/g, '.')}$`,
      );
      if (!existsSync(dir)) throw new InputError(s, '(input)', 'no such directory');
      for (const f of readdirSync(dir).sort(naturalCompare)) if (re.test(f) && statSync(join(dir, f)).isFile()) found.paths.push(join(dir, f));
    } else if (!existsSync(s)) {
      throw new InputError(s, '(input)', 'no such file or directory');
    } else if (statSync(s).isDirectory()) {
      walk(s, found);
    } else {
      found.paths.push(s);
    }
  }
  const skip = exclude === undefined ? null : resolve(exclude) + sep;
  const outside = (p: string): boolean => skip === null || !(resolve(p) + sep).startsWith(skip);
  return { paths: [...new Set(found.paths)].filter(outside), skipped: found.skipped.filter((x) => outside(x.path)) };
}

export interface FleetOptions {
  out: string;
  /** Worker threads (default: one per core, at most one per capture). */
  jobs?: number;
  /** Profile name or file (loaded in each worker). */
  profile: string;
  date?: string;
  onProgress?: (done: number, total: number) => void;
}

export interface FleetRun {
  manifests: CaptureManifest[];
  failures: { path: string; error: string }[];
  workers: number;
  /** Largest heap (V8 heap + malloc + external) any worker reported, bytes. */
  peakWorkerHeapBytes: number;
}

/** Analyses and exports `paths` with a pool of worker threads. */
export async function runFleet(paths: readonly string[], o: FleetOptions): Promise<FleetRun> {
  const n = Math.max(1, Math.min(o.jobs ?? availableParallelism(), paths.length));
  const run: FleetRun = { manifests: [], failures: [], workers: n, peakWorkerHeapBytes: 0 };
  if (paths.length === 0) return run;
  const queue = [...paths];
  let done = 0;
  const init: WorkerInit = { out: o.out, profile: o.profile, date: o.date };
  await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<void>((resolve, reject) => {
          const w = new Worker(WORKER, { workerData: init });
          const next = (): void => {
            const p = queue.shift();
            if (p === undefined) void w.terminate().then(() => resolve());
            else w.postMessage(p);
          };
          w.on('message', (m: 'ready' | WorkerAnswer) => {
            if (m !== 'ready') {
              if (m.ok) {
                run.manifests.push(m.manifest);
                run.peakWorkerHeapBytes = Math.max(run.peakWorkerHeapBytes, m.heapBytes);
              } else run.failures.push({ path: m.path, error: m.error });
              o.onProgress?.(++done, paths.length);
            }
            next();
          });
          w.on('error', reject);
        }),
    ),
  );
  return run;
}

export interface PackSummary {
  pack_id: string;
  captures: number;
  dates: string[];
  duration_s: number;
  worst: Severity | 'none';
  findings: Record<Severity, number>;
  captures_failing: number;
  worst_findings: (CaptureManifest['worst_findings'][number] & { capture_id: string })[];
  quality: { seq_lost: number; late_frames: number; crc_errors: number; restarts: number; checks_not_evaluable: number };
  /** Sums of the captures' numeric summary figures that add up (charge, energy, cycles). */
  totals: Record<string, number>;
}

export interface FleetReport {
  schema: 'natrium.fleet/1';
  captures: number;
  packs: PackSummary[];
}

const ADDITIVE = /^(charge_|energy_|equivalent_cycles)/;

/** The fleet report of every manifest in the dataset. */
export function fleetReport(dataset: string): FleetReport {
  const dir = join(dataset, MANIFEST_DIR);
  const manifests: CaptureManifest[] = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as CaptureManifest)
    : [];
  const packs = new Map<string, PackSummary>();
  for (const m of manifests) {
    let p = packs.get(m.pack_id);
    if (!p) {
      p = {
        pack_id: m.pack_id,
        captures: 0,
        dates: [],
        duration_s: 0,
        worst: 'none',
        findings: { info: 0, warning: 0, error: 0 },
        captures_failing: 0,
        worst_findings: [],
        quality: { seq_lost: 0, late_frames: 0, crc_errors: 0, restarts: 0, checks_not_evaluable: 0 },
        totals: {},
      };
      packs.set(m.pack_id, p);
    }
    p.captures++;
    if (!p.dates.includes(m.date)) p.dates.push(m.date);
    p.duration_s += m.duration_s;
    if (m.worst !== 'none' && (p.worst === 'none' || severityRank(m.worst) > severityRank(p.worst))) p.worst = m.worst;
    for (const s of SEVERITIES) p.findings[s] += m.findings[s];
    if (m.exit_code === 1) p.captures_failing++;
    p.worst_findings.push(...m.worst_findings.map((f) => ({ ...f, capture_id: m.capture_id })));
    p.quality.seq_lost += m.quality.seq_lost;
    p.quality.late_frames += m.quality.late_frames;
    p.quality.crc_errors += m.quality.crc_errors ?? 0;
    p.quality.restarts += m.quality.restarts ?? 0; // manifests written before restarts were counted lack it
    p.quality.checks_not_evaluable += m.quality.checks_not_evaluable;
    for (const [k, v] of Object.entries(m.summary)) if (ADDITIVE.test(k) && typeof v === 'number') p.totals[k] = (p.totals[k] ?? 0) + v;
  }
  for (const p of packs.values()) {
    p.dates.sort();
    p.worst_findings.sort((a, b) => severityRank(b.severity as Severity) - severityRank(a.severity as Severity) || a.t_start_s - b.t_start_s);
    p.worst_findings = p.worst_findings.slice(0, WORST_FINDINGS);
    for (const k of Object.keys(p.totals)) p.totals[k] = Math.round(p.totals[k]! * 1000) / 1000;
  }
  return { schema: 'natrium.fleet/1', captures: manifests.length, packs: [...packs.values()].sort((a, b) => a.pack_id.localeCompare(b.pack_id)) };
}

/** The fleet report as Markdown. */
export function fleetMarkdown(r: FleetReport): string {
  const out = [`# Fleet report\n\n${r.captures} captures, ${r.packs.length} packs.\n`];
  out.push('| pack | captures | dates | hours | worst | errors | warnings | failing captures | frames lost | CRC errors | restarts |');
  out.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const p of r.packs) {
    out.push(
      `| ${md(p.pack_id)} | ${p.captures} | ${md(p.dates[0] ?? '')}…${md(p.dates.at(-1) ?? '')} | ${(p.duration_s / 3600).toFixed(2)} | ${p.worst} | ${p.findings.error} | ${p.findings.warning} | ${p.captures_failing} | ${p.quality.seq_lost} | ${p.quality.crc_errors} | ${p.quality.restarts} |`,
    );
  }
  for (const p of r.packs) {
    if (p.worst_findings.length === 0) continue;
    out.push(`\n## ${md(p.pack_id)}: worst findings\n`);
    for (const f of p.worst_findings) out.push(`- **${f.severity}** ${mdCode(f.check)} at ${f.t_start_s} s (capture ${md(f.capture_id)}): ${md(f.message)}`);
  }
  return `${out.join('\n')}\n`;
}

/** Writes fleet-report.json and fleet-report.md into the dataset; returns the report. */
export function writeFleetReport(dataset: string): FleetReport {
  const r = fleetReport(dataset);
  makeOutputDir(dataset); // there when every capture failed, too
  writeFileSync(join(dataset, 'fleet-report.json'), `${JSON.stringify(r, null, 2)}\n`);
  writeFileSync(join(dataset, 'fleet-report.md'), fleetMarkdown(r));
  return r;
}
