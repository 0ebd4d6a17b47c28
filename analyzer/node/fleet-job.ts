/**
 * One capture of a fleet run (analyzer/node/fleet.ts), as a worker thread does it: load, analyse,
 * export into the dataset (Parquet, every table) and write the capture's manifest
 * `DATASET/_fleet/CAPTURE_ID.json`, from which the fleet report is built. The manifest is
 * keyed by the capture's id like its Parquet files, so a re-run replaces it.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { makeOutputDir } from './output.ts';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import type { Report } from '../analyze.ts';
import { severityRank } from '../findings.ts';
import type { Profile } from '../profile.ts';
import { analyzeLoaded } from './analyze-file.ts';
import { captureIdOf, exportLoaded, partitionOf } from './export.ts';
import { loadInput } from './input.ts';

export const MANIFEST_DIR = '_fleet';
/** Findings kept per capture in its manifest (the worst first). */
export const WORST_FINDINGS = 5;

/** What a fleet run keeps of one capture. */
export interface CaptureManifest {
  capture_id: string;
  source: string;
  pack_id: string;
  date: string;
  duration_s: number;
  rows: number;
  bytes_in: number;
  bytes_out: number;
  worst: Report['result']['worst'];
  findings: Report['result']['findings'];
  exit_code: 0 | 1;
  worst_findings: { id: string; check: string; severity: string; t_start_s: number; message: string }[];
  quality: { seq_lost: number; late_frames: number; crc_errors: number | null; frames: number | null; restarts: number; checks_not_evaluable: number };
  summary: Report['summary'];
}

export interface JobOptions {
  out: string;
  profile: Profile;
  date?: string;
}

/** The manifest of a report (pure; tests use it). */
export function manifestOf(report: Report, ids: { capture_id: string; source: string; pack_id: string; date: string; bytes_out: number }): CaptureManifest {
  const worst = [...report.findings]
    .filter((f) => f.waived === undefined)
    .sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.t_start_s - b.t_start_s)
    .slice(0, WORST_FINDINGS)
    .map((f) => ({ id: f.id, check: f.check, severity: f.severity, t_start_s: f.t_start_s, message: f.message }));
  const dec = report.input.decoder;
  return {
    ...ids,
    duration_s: report.input.duration_s,
    rows: report.input.rows,
    bytes_in: report.input.bytes,
    worst: report.result.worst,
    findings: report.result.findings,
    exit_code: report.result.exit_code,
    worst_findings: worst,
    quality: {
      seq_lost: report.input.seq_lost,
      late_frames: report.input.late_frames,
      crc_errors: dec ? dec.crcErrors : null,
      frames: dec ? dec.frames : null,
      restarts: report.input.restarts,
      checks_not_evaluable: report.result.checks.not_evaluable,
    },
    summary: report.summary,
  };
}

/** Runs one capture; returns its manifest and the worker's heap peak so far (bytes). */
export async function runJob(path: string, o: JobOptions): Promise<{ manifest: CaptureManifest; heapBytes: number }> {
  const input = loadInput(path);
  const report = analyzeLoaded(input, { profile: o.profile });
  const captureId = captureIdOf(path);
  const partition = partitionOf(input, path, { date: o.date });
  const res = await exportLoaded(input, report, { format: 'parquet', out: o.out, captureId, partition });
  const manifest = manifestOf(report, { capture_id: captureId, source: path, pack_id: partition.packId, date: partition.date, bytes_out: res.bytes });
  const dir = join(o.out, MANIFEST_DIR);
  makeOutputDir(dir);
  const file = join(dir, `${captureId}.json`);
  writeFileSync(`${file}.tmp-${process.pid}`, `${JSON.stringify(manifest, null, 1)}\n`);
  renameSync(`${file}.tmp-${process.pid}`, file);
  const h = getHeapStatistics();
  return { manifest, heapBytes: h.total_heap_size + h.malloced_memory + h.external_memory };
}
