/**
 * Bytes of an opened file → what the viewer shows: a capture (wire bytes) or a sim trace (CSV)
 * becomes a Timeline and its analyser report (the same protocol/ and analyzer/ core as `natrium
 * analyze`, with the built-in default profile); a report JSON (natrium.report/1) gives findings.
 * Which it is is decided by content, as analyzer/node/input.ts does. Isomorphic (worker, Node).
 *
 * A trace has no INFO: it is given the one `natrium analyze` gives it (analyzer/traceinfo.ts: its
 * chemistry preset and the default BMS configuration's limits), so its report is the CLI's.
 */
import { type Report, REPORT_SCHEMA, analyze } from '../../../analyzer/analyze.ts';
import { builtInProfile } from '../../../analyzer/profile.ts';
import { TimelineBuilder } from '../../../analyzer/timeline/ingest.ts';
import type { Timeline } from '../../../analyzer/timeline/store.ts';
import type { Info } from '../../../protocol/messages.ts';
import { TraceError, TraceReader, looksLikeTrace, notCaptureHint } from '../../../analyzer/timeline/trace.ts';
import { traceFallbackOf, tracePreset } from '../../../analyzer/traceinfo.ts';
import { looksLikeJson } from './sniff.ts';
import type { ChemistryFile } from '../../../sim/chemistry/spec.ts';
import { PRESETS, readChemistry } from '../../../sim/chemistry.ts';
import { presetJson, presetLabel } from '../../../sim/presets.ts';

const chemistries = new Map<string, ChemistryFile>();

/**
 * A chemistry preset by the name a device or trace gives (null when not a preset), checked by the
 * sim's own reader (readChemistry: every field, named on error) on first use.
 */
export function chemistryByName(name: string): ChemistryFile | null {
  if (!(PRESETS as readonly string[]).includes(name)) return null;
  let c = chemistries.get(name);
  if (c === undefined) {
    c = readChemistry(presetLabel('chemistry', name), presetJson('chemistry', name));
    chemistries.set(name, c);
  }
  return c;
}

/** Room left for a rate change later in a capture when its store is sized from its first part. */
const PRESIZE_MARGIN = 1.02;

/** A file the viewer could not read: one line naming the file and the problem. */
export class LoadError extends Error {
  readonly loadError = true;
}

export type Loaded =
  | {
      kind: 'capture' | 'trace';
      timeline: Timeline;
      chemistry: ChemistryFile | null;
      /**
       * The INFO the analyser assumes for a log that carries none (a sim trace: its preset's
       * pack and the default BMS configuration's limits), null otherwise.
       */
      fallbackInfo: Info | null;
      /**
       * Reads the rest of a capture opened with `firstBytes` (the plots of the start can be drawn
       * before); chemistry is then settled. No-op when everything was read. Returns whether
       * anything was read.
       */
      rest(): boolean;
      /** Runs the analyser on the whole file (kept apart so the plots can be drawn first). */
      analyze(): Report;
    }
  | { kind: 'report'; report: Report };

/**
 * Loads a file's bytes (`today` YYYY-MM-DD for waivers; default the clock's). A capture longer
 * than `firstBytes` is read that far only: call `rest()` for the remainder.
 */
export function loadBytes(bytes: Uint8Array, name: string, today?: string, firstBytes = Infinity): Loaded {
  if (bytes.length === 0) throw new LoadError(`${name}: (file): empty`);
  if (looksLikeJson(bytes)) return { kind: 'report', report: parseReport(bytes, name) };
  const profile = builtInProfile('default');
  if (looksLikeTrace(bytes.subarray(0, 512))) {
    const t = new TraceReader();
    try {
      t.pushBytes(bytes);
      t.finish();
    } catch (e) {
      if (e instanceof TraceError) throw new LoadError(`${name}: line ${e.line}: column ${e.column}: ${e.problem}`);
      throw e;
    }
    const fallback = traceFallbackOf(t.meta, tracePreset(t.meta));
    const run = (): Report =>
      analyze({ timeline: t.timeline, counters: null, meta: { name, kind: 'trace', bytes: bytes.length } }, { profile, today, fallback });
    return { kind: 'trace', timeline: t.timeline, chemistry: fallback.chemistry, fallbackInfo: fallback.info, analyze: run, rest: () => false };
  }
  const notCapture = (): string => notCaptureHint(bytes, 'not a capture, trace or report?');
  const b = new TimelineBuilder();
  const CHUNK = 1 << 16;
  const first = Math.min(bytes.length, firstBytes);
  const feed = (from: number, to: number): void => {
    for (let p = from; p < to; p += CHUNK) b.push(bytes.subarray(p, Math.min(to, p + CHUNK)));
  };
  feed(0, first);
  const done = (): void => {
    b.finish();
    if (b.counters.frames === 0) throw new LoadError(`${name}: (file): no natrium frames in ${bytes.length} bytes (${notCapture()})`);
  };
  if (first === bytes.length) done();
  else if (b.counters.frames === 0) throw new LoadError(`${name}: (file): no natrium frames in the first ${first} bytes (${notCapture()})`);
  let complete = first === bytes.length;
  const out: Extract<Loaded, { kind: 'capture' | 'trace' }> = {
    kind: 'capture',
    timeline: b.timeline,
    chemistry: null,
    fallbackInfo: null,
    analyze: () => (out.rest(), run()),
    rest: () => false,
  };
  const settle = (): void => {
    const info = b.timeline.info;
    out.chemistry = info ? chemistryByName(info.chemistry) : null;
  };
  settle();
  out.rest = () => {
    if (complete) return false;
    // the store sized once for the whole file at the first part's rows per byte (no doubling copies);
    // not at the start, where allocating it would delay the first paint
    b.timeline.reserve(Math.ceil((b.timeline.length * bytes.length * PRESIZE_MARGIN) / first), true);
    feed(first, bytes.length);
    done();
    complete = true;
    settle();
    return true;
  };
  const run = (): Report =>
    analyze(
      {
        timeline: b.timeline,
        counters: { ...b.counters },
        lateFrames: b.assembler.lateFrames,
        seqLost: b.assembler.seqLost,
        meta: { name, kind: 'capture', bytes: bytes.length },
      },
      { profile, chemistry: chemistryByName, today },
    );
  return out;
}

/** A natrium.report/1 document (checked enough to be shown: schema and findings). */
export function parseReport(bytes: Uint8Array, name: string): Report {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8').decode(bytes));
  } catch (e) {
    throw new LoadError(`${name}: (json): ${(e as Error).message}`);
  }
  const r = doc as Partial<Report> | null;
  if (r === null || typeof r !== 'object') throw new LoadError(`${name}: (json): not an object`);
  if (r.schema !== REPORT_SCHEMA) throw new LoadError(`${name}: schema: expected "${REPORT_SCHEMA}", got ${JSON.stringify(r.schema)}`);
  if (!Array.isArray(r.findings)) throw new LoadError(`${name}: findings: expected an array`);
  r.findings.forEach((f, i) => {
    if (typeof f !== 'object' || f === null || typeof f.t_start_s !== 'number' || typeof f.t_end_s !== 'number' || typeof f.message !== 'string') {
      throw new LoadError(`${name}: findings[${i}]: expected t_start_s, t_end_s and message`);
    }
  });
  return r as Report;
}
