/**
 * analyze-24h: the analyser on a 24 h capture of a 100s2p pack at 10 Hz, from bytes to report.
 *
 * The fixture is the synthetic, seeded 24 h capture of bench/cases/decode.ts `buildCapture`
 * (100 cells, 32 temperature sensors; PACK_STATUS + CELL_VOLTAGES + TEMPERATURES every 100 ms,
 * INFO every 5 s), with its INFO saying 100s2p, 150 Ah cells, chemistry naion-prismatic-150ah
 * (the default pack), so the chemistry-dependent checks run. It is not the emulator's own
 * 24 h capture of the default scenario (device/capture.ts would take ~25 s to build it); its
 * telemetry is a random walk, so it exercises every column but few findings. Its SOC integrates
 * the pack its INFO describes; no SIM_TRUTH or BALANCING, so those checks are not evaluable.
 *
 * In the same process, interleaved over REPS rounds: decode only (Decoder with `reuse`, an
 * `onMessage` no-op, 64 KiB chunks) and the full analysis (`timelineFromBytes` + `analyze`
 * with the built-in default profile and `chemistryByName`). `mb_per_s` is the analysis,
 * `decode_mb_per_s` the decode; `ratio_vs_decode` is the median of the per-round ratios
 * decode time / analysis time (target ≥ 0.5). `timeline_ms` and `rules_ms` split the median
 * analysis round; `slowest_checks` are the three checks with the largest median time inside the
 * analysis (each check's `evaluate` wrapped; a scan shared through the timeline's caches counts
 * for the first check that runs it).
 * `rss_target_mb` = 2 × columnar + 150 (compare `peak_rss_mb`; the capture bytes themselves
 * are in the RSS too).
 * `cli_wall_s`: the command users run on the same capture written to a file, `natrium analyze
 * FILE --json` (bin/natrium.js, so with huge pages only under NATRIUM_HUGEPAGES=1; the median
 * of REPS runs, before the rounds): its own path from the file (analyzer/node/input.ts), which
 * once differed from the in-memory one measured above (it did not size its store from the file).
 *
 * `cut_mb_per_s`: `natrium cut`'s core (analyzer/timeline/cut.ts) over the same capture in
 * 64 KiB chunks, keeping its second half (so every frame is read and half are written; the
 * median of REPS runs), and `cut_cli_wall_s` the command itself, `natrium cut FILE --from
 * <half> --out <tmp file>` (median of REPS runs).
 *
 * demo: wall time of `node bin/natrium.js demo --out <tmpdir>` (DEMO_REPS runs, default 1; the
 * median), and the device time it covered (from its report.json).
 *
 * Env: ANALYZE_BENCH_HOURS (default 24), ANALYZE_BENCH_REPS (default 3), DEMO_REPS (default 1).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchCase } from '../case.ts';
import { median } from '../case.ts';
import { buildCapture } from './decode.ts';
import { Decoder } from '../../protocol/decoder.ts';
import { analyze, type Report } from '../../analyzer/analyze.ts';
import { builtInProfile } from '../../analyzer/profile.ts';
import { RULES } from '../../analyzer/rules/index.ts';
import type { Rule } from '../../analyzer/rules/rule.ts';
import { timelineFromBytes } from '../../analyzer/timeline/ingest.ts';
import { chemistryByName } from '../../analyzer/node/files.ts';
import { CaptureCutter } from '../../analyzer/timeline/cut.ts';

const CHUNK = 1 << 16;
const TODAY = '2026-01-01';

export const cases: BenchCase[] = [
  {
    name: 'analyze-24h',
    command: 'analyze',
    run() {
      const hours = envInt('ANALYZE_BENCH_HOURS', 24);
      const reps = envInt('ANALYZE_BENCH_REPS', envInt('REPS', 3));
      const t0 = performance.now();
      const capture = buildCapture(hours, { np: 2, cellCapacity_Ah: 150, chemistry: 'naion-prismatic-150ah' });
      const buildS = (performance.now() - t0) / 1000;
      const profile = builtInProfile('default');
      const meta = { name: 'bench-24h.nat', kind: 'capture' as const, bytes: capture.length };

      let sink = 0;
      const decodeOnce = (): number => {
        const dec = new Decoder({
          reuse: true,
          onMessage: () => {
            sink++;
          },
        });
        const s = performance.now();
        for (let p = 0; p < capture.length; p += CHUNK) dec.push(capture.subarray(p, p + CHUNK));
        dec.finish();
        return (performance.now() - s) / 1000;
      };
      let report: Report | null = null;
      let columnBytes = 0;
      let rows = 0;
      const ruleMs = new Map<string, number[]>();
      const timed: Rule[] = RULES.map((rule) => {
        const w = Object.create(rule) as Rule;
        w.evaluate = (ctx) => {
          const s = performance.now();
          try {
            return rule.evaluate(ctx);
          } finally {
            const list = ruleMs.get(rule.id) ?? [];
            list.push(performance.now() - s);
            ruleMs.set(rule.id, list);
          }
        };
        return w;
      });
      const analyzeOnce = (): { total: number; timeline: number; rules: number } => {
        const s = performance.now();
        const b = timelineFromBytes(capture);
        const m = performance.now();
        report = analyze(
          { timeline: b.timeline, counters: b.counters, lateFrames: b.assembler.lateFrames, seqLost: b.assembler.seqLost, meta },
          { profile, chemistry: chemistryByName, today: TODAY, rules: timed },
        );
        const e = performance.now();
        columnBytes = b.timeline.columnBytes;
        rows = b.timeline.length;
        return { total: (e - s) / 1000, timeline: m - s, rules: e - m };
      };

      // the commands first: after the rounds below, this process has ~2 GB of stores to free,
      // and its collector's threads took a core from the command (cli_wall_s 4.3–4.5 s measured
      // after the rounds, 3.7 s before them, 3.3–3.4 s for the same command run on its own)
      const half_s = (hours * 3600) / 2;
      const bin = fileURLToPath(new URL('../../bin/natrium.js', import.meta.url));
      const dir = mkdtempSync(join(tmpdir(), 'natrium-analyze-bench-'));
      const cliWalls: number[] = [];
      const cutWalls: number[] = [];
      try {
        const file = join(dir, 'bench-24h.nat');
        writeFileSync(file, capture);
        for (let r = 0; r < reps; r++) {
          const s = performance.now();
          const res = spawnSync(process.execPath, [bin, 'analyze', file, '--json'], { stdio: ['ignore', 'ignore', 'inherit'] });
          cliWalls.push((performance.now() - s) / 1000);
          // 1 is a finding at or above error: a report all the same
          if (res.status !== 0 && res.status !== 1) throw new Error(`natrium analyze exited with ${res.status ?? res.signal}`);
        }
        for (let r = 0; r < reps; r++) {
          const s = performance.now();
          const res = spawnSync(process.execPath, [bin, 'cut', file, '--from', String(half_s), '--out', join(dir, 'half.nat')], {
            stdio: ['ignore', 'ignore', 'ignore'],
          });
          cutWalls.push((performance.now() - s) / 1000);
          if (res.status !== 0) throw new Error(`natrium cut exited with ${res.status ?? res.signal}`);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }

      const decTimes: number[] = [];
      const anaTimes: number[] = [];
      const tlMs: number[] = [];
      const rulesMs: number[] = [];
      const ratios: number[] = [];
      for (let r = 0; r < reps; r++) {
        const d = decodeOnce();
        const a = analyzeOnce();
        decTimes.push(d);
        anaTimes.push(a.total);
        tlMs.push(a.timeline);
        rulesMs.push(a.rules);
        ratios.push(d / a.total);
      }

      const cutTimes: number[] = [];
      for (let r = 0; r < reps; r++) {
        let kept = 0;
        const s = performance.now();
        const c = new CaptureCutter({ from_s: half_s, to_s: Infinity }, (b) => (kept += b.length));
        for (let p = 0; p < capture.length; p += CHUNK) c.push(capture.subarray(p, p + CHUNK));
        c.finish();
        cutTimes.push((performance.now() - s) / 1000);
        if (!(kept > capture.length / 3)) throw new Error(`cut kept ${kept} of ${capture.length} bytes`);
      }

      // per check: the median over the rounds of its time inside the analysis (a scan that several
      // checks share through the timeline's caches is charged to the first that runs it)
      const perRule: [string, number][] = RULES.map((r) => [r.id, median(ruleMs.get(r.id) ?? [])]);
      perRule.sort((x, y) => y[1] - x[1]);
      if (sink === -1) console.log(sink);
      const rep = report as unknown as Report;
      const mb = capture.length / 1e6;
      const columnarMb = columnBytes / 1e6;
      return {
        mb_per_s: round(mb / median(anaTimes)),
        decode_mb_per_s: round(mb / median(decTimes)),
        ratio_vs_decode: round(median(ratios)),
        peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
        columnar_mb: round(columnarMb),
        rss_target_mb: Math.round(2 * columnarMb + 150),
        timeline_ms: Math.round(median(tlMs)),
        cli_wall_s: round(median(cliWalls)),
        rules_ms: Math.round(median(rulesMs)),
        cut_mb_per_s: round(mb / median(cutTimes)),
        cut_cli_wall_s: round(median(cutWalls)),
        slowest_checks: perRule
          .slice(0, 3)
          .map(([id, ms]) => `${id}=${Math.round(ms)}`)
          .join(' '),
        rows,
        capture_mb: round(mb),
        duration_s: round(rep.input.duration_s),
        checks: `${rep.result.checks.pass}/${rep.result.checks.fail}/${rep.result.checks.not_evaluable}`,
        findings: rep.findings.length,
        hours,
        reps,
        build_s: round(buildS),
      };
    },
  },
  {
    name: 'demo',
    run() {
      const reps = envInt('DEMO_REPS', 1);
      const bin = fileURLToPath(new URL('../../bin/natrium.js', import.meta.url));
      const walls: number[] = [];
      let device_s = NaN;
      let bytes = NaN;
      for (let r = 0; r < reps; r++) {
        const dir = mkdtempSync(join(tmpdir(), 'natrium-demo-bench-'));
        try {
          const s = performance.now();
          const res = spawnSync(process.execPath, [bin, 'demo', '--out', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
          walls.push((performance.now() - s) / 1000);
          if (res.status !== 0) throw new Error(`demo exited with ${res.status ?? res.signal}`);
          const rep = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
          device_s = rep.input.duration_s;
          bytes = rep.input.bytes;
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }
      const wall = median(walls);
      return {
        wall_s: round(wall),
        device_s: round(device_s),
        device_s_per_wall_s: round(device_s / wall),
        capture_mb: round(bytes / 1e6),
        reps,
      };
    },
  },
];

function envInt(name: string, dflt: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return dflt;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < 1) throw new TypeError(`"${name}" must be a positive integer: ${raw}`);
  return v;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
