/**
 * export-24h: `natrium export --format parquet` of the 24 h 100s2p capture of bench/cases/decode.ts
 * `buildCapture` (100 cells, 32 sensors, 10 Hz; the analyze-24h fixture). The capture is decoded
 * into a Timeline and analysed once (not timed); then the five tables are written as Parquet to a
 * temporary directory (timed: `wall_s` and the process's CPU time `cpu_s`, with the per-table
 * splits in `table_s` and `table_cpu_s`). `mb_out` is the
 * dataset's size, `bytes_per_frame` that size over the capture's frames (every message is a
 * frame), `rows_cells` the long cells table's rows. Env: EXPORT_BENCH_HOURS (default 24).
 *
 * fleet-100: `natrium fleet` (analyzer/node/fleet.ts `runFleet`, worker threads) over
 * FLEET_BENCH_CAPTURES (default 100) captures of FLEET_BENCH_HOURS (default 1) hour each of the
 * same generator, each with its own device id (so its own pack and capture id), written to a
 * temporary directory first (not timed). Each worker count of 1, 2 and all cores runs into a fresh
 * dataset: `captures_per_s_{1,2,all}` and `scaling_efficiency_{2,all}` = speed-up over 1 worker /
 * workers. Peak memory per worker: the largest heap + malloc + external memory a worker reported
 * (`peak_worker_heap_mb`, V8's own figure for that thread), and the process's peak RSS growth over
 * the run with all workers divided by their number (`peak_rss_per_worker_mb`; worker threads
 * share one process, so RSS cannot be split exactly).
 */
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchCase } from '../case.ts';
import { buildCapture, envInt } from './decode.ts';
import { analyze } from '../../analyzer/analyze.ts';
import { TABLE_NAMES } from '../../analyzer/export/schema.ts';
import { exportLoaded } from '../../analyzer/node/export.ts';
import { chemistryByName } from '../../analyzer/node/files.ts';
import { runFleet } from '../../analyzer/node/fleet.ts';
import { builtInProfile } from '../../analyzer/profile.ts';
import { timelineFromBytes } from '../../analyzer/timeline/ingest.ts';

const INFO = { np: 2, cellCapacity_Ah: 150, chemistry: 'naion-prismatic-150ah' };

function duSize(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n += e.isDirectory() ? duSize(p) : statSync(p).size;
  }
  return n;
}

const round = (x: number, k = 100): number => Math.round(x * k) / k;
/** User + system CPU seconds of a process.cpuUsage() difference (the machine may be shared: wall
 * time then measures the neighbours too). */
const cpuSeconds = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1e6;

export const cases: BenchCase[] = [
  {
    name: 'export-24h',
    command: 'export',
    async run() {
      const hours = envInt('EXPORT_BENCH_HOURS', 24);
      const capture = buildCapture(hours, INFO);
      const b = timelineFromBytes(capture);
      const meta = { name: 'bench-24h.nat', kind: 'capture' as const, bytes: capture.length };
      const report = analyze(
        { timeline: b.timeline, counters: b.counters, meta },
        { profile: builtInProfile('default'), chemistry: chemistryByName, today: '2026-01-01' },
      );
      const input = { timeline: b.timeline, counters: b.counters, lateFrames: 0, seqLost: 0, meta, traceMeta: null };
      const out = mkdtempSync(join(tmpdir(), 'natrium-bench-export-'));
      try {
        const tableS: string[] = [];
        const tableCpu: string[] = [];
        const rows: Record<string, number> = {};
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        for (const table of TABLE_NAMES) {
          const s = performance.now();
          const c = process.cpuUsage();
          const r = await exportLoaded(input, report, {
            format: 'parquet',
            out,
            captureId: 'bench',
            partition: { packId: 'p', date: '2026-01-01' },
            tables: [table],
          });
          rows[table] = r.rows[table] ?? 0;
          tableS.push(`${table}=${round((performance.now() - s) / 1000)}`);
          tableCpu.push(`${table}=${round(cpuSeconds(process.cpuUsage(c)))}`);
        }
        const wall = (performance.now() - t0) / 1000;
        const cpu = cpuSeconds(process.cpuUsage(c0));
        const bytes = duSize(out);
        return {
          wall_s: round(wall),
          cpu_s: round(cpu),
          mb_out: round(bytes / 1e6),
          bytes_per_frame: round(bytes / b.counters.frames, 1000),
          capture_mb: round(capture.length / 1e6),
          frames: b.counters.frames,
          rows_frames: rows.frames!,
          rows_cells: rows.cells!,
          rows_per_s: Math.round(Object.values(rows).reduce((x, y) => x + y, 0) / wall),
          table_s: tableS.join(' '),
          table_cpu_s: tableCpu.join(' '),
          hours,
          peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
        };
      } finally {
        rmSync(out, { recursive: true, force: true });
      }
    },
  },
  {
    name: 'fleet-100',
    command: 'fleet',
    async run() {
      const n = envInt('FLEET_BENCH_CAPTURES', 100);
      const hours = envInt('FLEET_BENCH_HOURS', 1);
      const dir = mkdtempSync(join(tmpdir(), 'natrium-bench-fleet-'));
      try {
        const paths: string[] = [];
        for (let i = 0; i < n; i++) {
          const p = join(dir, `cap-${String(i).padStart(3, '0')}.nat`);
          writeFileSync(p, buildCapture(hours, { ...INFO, deviceId: 0x4e410000 + i }));
          paths.push(p);
        }
        const all = availableParallelism();
        // the most workers first: the RSS growth over the baseline is then theirs
        const counts = [...new Set([all, 2, 1])];
        const speed: Record<number, number> = {};
        let heap = 0;
        let rssPerWorker = 0;
        for (const w of counts) {
          const rss0 = process.resourceUsage().maxRSS;
          const t0 = performance.now();
          const run = await runFleet(paths, { out: join(dir, `ds-${w}`), jobs: w, profile: 'default', date: '2026-01-01' });
          const s = (performance.now() - t0) / 1000;
          if (run.failures.length > 0) throw new Error(`fleet-100: ${run.failures[0]!.error}`);
          speed[w] = n / s;
          heap = Math.max(heap, run.peakWorkerHeapBytes);
          if (w === all) rssPerWorker = (process.resourceUsage().maxRSS - rss0) / 1024 / w;
        }
        return {
          captures: n,
          hours_each: hours,
          cores: all,
          captures_per_s_1: round(speed[1]!, 1000),
          captures_per_s_2: round(speed[2]!, 1000),
          captures_per_s_all: round(speed[all]!, 1000),
          scaling_efficiency_2: round(speed[2]! / speed[1]! / 2),
          scaling_efficiency_all: round(speed[all]! / speed[1]! / all),
          peak_worker_heap_mb: Math.round(heap / 1e6),
          peak_rss_per_worker_mb: Math.round(rssPerWorker),
        };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  },
];
