/**
 * The Node edge of trace analysis: a trace's INFO (analyzer/traceinfo.ts) with its chemistry
 * read by preset name or, given `chemistry`, from a JSON file.
 */
import { PRESETS } from '../../sim/chemistry.ts';
import type { TraceMeta } from '../../sim/trace.ts';
import { loadChemistry } from '../../sim/node/load.ts';
import { type TraceFallback, traceFallbackOf } from '../traceinfo.ts';

export type { TraceFallback } from '../traceinfo.ts';

export interface TraceFallbackOptions {
  /**
   * A chemistry preset name or path to a chemistry JSON file, for a trace whose chemistry is not
   * a preset (its meta names the file's `name`, which cannot be looked up). Default: the meta's.
   */
  chemistry?: string;
}

/**
 * INFO, chemistry and limits source for a trace: from its meta line, or nulls and source "none"
 * for a trace without one (written before the meta line existed). A chemistry that is not a
 * preset (and no `options.chemistry`) gives nulls and a source that says so. Throws InputError
 * when `options.chemistry` names a file that cannot be read.
 */
export function traceFallback(meta: TraceMeta | null, options: TraceFallbackOptions = {}): TraceFallback {
  if (meta === null) return traceFallbackOf(null, null);
  const name = options.chemistry ?? meta.chemistry;
  if (options.chemistry === undefined && !(PRESETS as readonly string[]).includes(name)) return traceFallbackOf(meta, null);
  return traceFallbackOf(meta, loadChemistry(name));
}
