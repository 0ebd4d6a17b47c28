/**
 * `natrium analyze` as a library call: load the input (analyzer/node/input.ts), pick the
 * chemistry (the one the device names in INFO, a trace's meta line, or `chemistry`), run the
 * checks (analyzer/analyze.ts) and return the report.
 */
import type { ChemistryFile } from '../../sim/chemistry.ts';
import { type Report, analyze } from '../analyze.ts';
import type { Severity } from '../findings.ts';
import type { Profile } from '../profile.ts';
import type { Waiver } from '../waivers.ts';
import { chemistryByName } from './files.ts';
import { type LoadedInput, loadInput } from './input.ts';
import { traceFallback } from './trace.ts';

export interface AnalyzeFileOptions {
  profile: Profile;
  failOn?: Severity;
  waivers?: Waiver[];
  /** Overrides the chemistry the input names. */
  chemistry?: ChemistryFile;
  onProgress?: (bytes: number) => void;
}

/** Analyses a loaded input. */
export function analyzeLoaded(input: LoadedInput, o: AnalyzeFileOptions): Report {
  const fallback = input.traceMeta ? traceFallback(input.traceMeta) : undefined;
  return analyze(
    { timeline: input.timeline, counters: input.counters, lateFrames: input.lateFrames, seqLost: input.seqLost, meta: input.meta },
    {
      profile: o.profile,
      failOn: o.failOn,
      waivers: o.waivers,
      chemistry: (name) => o.chemistry ?? chemistryByName(name),
      fallback: fallback && { ...fallback, chemistry: o.chemistry ?? fallback.chemistry },
    },
  );
}

/** Loads and analyses a capture or trace file ("-" = stdin). */
export function analyzeFile(path: string, o: AnalyzeFileOptions): Report {
  return analyzeLoaded(loadInput(path, o.onProgress), o);
}
