/**
 * The report's `summary` (the metrics of the summary.* checks, units in their names) laid out for
 * people: quantities with their unit moved from the name to the value, and the time-in-band
 * metrics (`<family>_<band>_<unit>_s` with its `_share`, summary.bands) as one table per family.
 * Used by the Markdown report; the JSON keeps the metrics as they are.
 */
import type { EvidenceValue } from '../findings.ts';
import { edgeOfName } from '../rules/summary/bands.ts';
import { fmtTime, fmtValue } from './format.ts';

export interface SummaryQuantity {
  /** The metric name without its unit, words apart ("charge in"). */
  label: string;
  /** The value with its unit ("264.9 Ah", "8:43:53.2", "n/a"). */
  value: string;
  /** The metric's name in the report's JSON. */
  key: string;
}

export interface BandRow {
  /** "0–10 %", "below 0 °C", "above 45 °C". */
  band: string;
  /** h:mm:ss.s, or n/a. */
  time: string;
  /** "12.54 %", or n/a. */
  share: string;
}

export interface BandTable {
  /** "soc" or "temperature" (the metric names' first word). */
  family: string;
  rows: BandRow[];
}

/** Name suffix → unit shown after the value (`_s` and `_share` are formatted apart). */
const UNITS: [string, string][] = [
  ['_mOhm', 'mΩ'],
  ['_Ah', 'Ah'],
  ['_Wh', 'Wh'],
  ['_mV', 'mV'],
  ['_V', 'V'],
  ['_A', 'A'],
  ['_W', 'W'],
  ['_C', '°C'],
  ['_pct', '%'],
];

const BAND = /^(soc|temperature)_(.+)_(pct|C)_s$/;

/** The band part of a name ("0_10", "below_0", "above_45", "minus10_0") as a label, or null. */
function bandLabel(part: string, unit: string): string | null {
  const t = part.split('_');
  if (t.length !== 2) return null;
  const [a, b] = t as [string, string];
  if (a === 'below' || a === 'above') {
    const x = edgeOfName(b);
    return x === null ? null : `${a} ${x} ${unit}`;
  }
  const lo = edgeOfName(a);
  const hi = edgeOfName(b);
  return lo === null || hi === null ? null : `${lo}–${hi} ${unit}`;
}

function missing(v: EvidenceValue | undefined): boolean {
  return v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v));
}

/** A quantity's value with the unit its name carries. */
function quantityValue(key: string, v: EvidenceValue): { label: string; value: string } {
  let label = key;
  let value: string;
  if (key.endsWith('_share')) {
    label = key.slice(0, -'_share'.length);
    value = missing(v) ? 'n/a' : typeof v === 'number' ? `${fmtValue(v * 100)} %` : String(v);
  } else if (key.endsWith('_s')) {
    label = key.slice(0, -2);
    value = missing(v) ? 'n/a' : typeof v === 'number' ? fmtTime(v) : String(v);
  } else {
    const u = UNITS.find(([suffix]) => key.endsWith(suffix) && key.length > suffix.length);
    if (u) label = key.slice(0, -u[0].length);
    value = missing(v)
      ? 'n/a'
      : typeof v === 'boolean'
        ? v
          ? 'yes'
          : 'no'
        : `${fmtValue(v as number | string)}${u && typeof v === 'number' ? ` ${u[1]}` : ''}`;
  }
  return { label: label.replace(/_/g, ' '), value };
}

/** The summary as quantities and time-in-band tables (in the order the metrics come). */
export function summaryTables(summary: Record<string, EvidenceValue>): { quantities: SummaryQuantity[]; bands: BandTable[] } {
  const quantities: SummaryQuantity[] = [];
  const bands: BandTable[] = [];
  const inBand = new Set<string>();
  for (const [key, v] of Object.entries(summary)) {
    const m = BAND.exec(key);
    const shareKey = `${key.slice(0, -2)}_share`;
    const label = m ? bandLabel(m[2]!, m[3] === 'pct' ? '%' : '°C') : null;
    if (!m || label === null || !(shareKey in summary)) continue;
    let table = bands.find((b) => b.family === m[1]);
    if (!table) bands.push((table = { family: m[1]!, rows: [] }));
    const share = summary[shareKey];
    table.rows.push({
      band: label,
      time: missing(v) || typeof v !== 'number' ? 'n/a' : fmtTime(v),
      share: missing(share) || typeof share !== 'number' ? 'n/a' : `${fmtValue(share * 100)} %`,
    });
    inBand.add(key).add(shareKey);
  }
  for (const [key, v] of Object.entries(summary)) {
    if (inBand.has(key)) continue;
    quantities.push({ ...quantityValue(key, v), key });
  }
  return { quantities, bands };
}
