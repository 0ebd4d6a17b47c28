/**
 * The layout of the panes: which panes, in which order, with their chosen cells or sensors. It is
 * data: saved as JSON (a file, localStorage) and in the page's URL (`#layout=` + the JSON), and
 * validated when read back; a bad layout is reported and the default used.
 */
export const PANE_KINDS = ['pack', 'soc', 'cells', 'cellmap', 'temps', 'tempmap', 'state', 'lanes', 'sop', 'balancing', 'balmap', 'events'] as const;
export type PaneKind = (typeof PANE_KINDS)[number];

export const PANE_TITLES: Record<PaneKind, string> = {
  pack: 'Pack voltage and current',
  soc: 'SOC: estimate, truth, OCV-derived',
  cells: 'Cell voltages: min/mean/max and chosen cells',
  cellmap: 'Cell voltage heatmap (time × cell)',
  temps: 'Temperatures: min/mean/max and hottest sensors',
  tempmap: 'Temperature heatmap (time × sensor)',
  state: 'BMS state',
  lanes: 'Contactors and fault / warning bits',
  sop: 'Current against the SOP limits',
  balancing: 'Balancing: groups bleeding',
  balmap: 'Balancing heatmap (time × group)',
  events: 'EVENT markers',
};

export interface PaneSpec {
  kind: PaneKind;
  /** Chosen cells (cells pane) or sensors (temps pane), 0-based. */
  chosen?: number[];
}

export interface Layout {
  v: 1;
  panes: PaneSpec[];
}

export const DEFAULT_LAYOUT: Layout = {
  v: 1,
  panes: ['pack', 'soc', 'cells', 'cellmap', 'temps', 'state', 'lanes', 'sop', 'balancing', 'events'].map((kind) => ({ kind: kind as PaneKind })),
};

export class LayoutError extends Error {}

/** A layout from parsed JSON; throws LayoutError naming the field. */
export function parseLayout(doc: unknown): Layout {
  const o = doc as { v?: unknown; panes?: unknown } | null;
  if (o === null || typeof o !== 'object') throw new LayoutError('layout: expected an object');
  if (o.v !== 1) throw new LayoutError(`layout: v: expected 1, got ${JSON.stringify(o.v)}`);
  if (!Array.isArray(o.panes)) throw new LayoutError('layout: panes: expected an array');
  const panes = o.panes.map((p: unknown, i: number): PaneSpec => {
    const q = p as { kind?: unknown; chosen?: unknown } | null;
    if (q === null || typeof q !== 'object') throw new LayoutError(`layout: panes[${i}]: expected an object`);
    if (!(PANE_KINDS as readonly unknown[]).includes(q.kind)) throw new LayoutError(`layout: panes[${i}].kind: unknown pane ${JSON.stringify(q.kind)}`);
    const spec: PaneSpec = { kind: q.kind as PaneKind };
    if (q.chosen !== undefined) {
      if (!Array.isArray(q.chosen) || !q.chosen.every((c) => Number.isInteger(c) && c >= 0)) {
        throw new LayoutError(`layout: panes[${i}].chosen: expected whole numbers >= 0`);
      }
      spec.chosen = q.chosen as number[];
    }
    return spec;
  });
  return { v: 1, panes };
}

/** The layout as the URL fragment carries it. */
export function layoutToHash(l: Layout): string {
  return `#layout=${encodeURIComponent(JSON.stringify(l))}`;
}

/** The layout in a URL fragment, null when it has none; throws LayoutError when it is bad. */
export function layoutFromHash(hash: string): Layout | null {
  const m = /(?:^#|&)layout=([^&]*)/.exec(hash);
  if (!m) return null;
  let doc: unknown;
  try {
    doc = JSON.parse(decodeURIComponent(m[1]!));
  } catch {
    throw new LayoutError('layout: not JSON');
  }
  return parseLayout(doc);
}

/** Parses "3, 17 40" into cell indices below `n` (at most `max`). */
export function parseChosen(text: string, n: number, max: number): number[] {
  const out: number[] = [];
  for (const tok of text.split(/[\s,;]+/)) {
    if (!/^\d+$/.test(tok)) continue;
    const i = Number(tok);
    if (i < n && !out.includes(i)) out.push(i);
  }
  return out.slice(0, max);
}
