/**
 * Export round trip: a capture (with frames lost on the line, so rows miss messages and NA
 * appears) is exported as Parquet and read back with two independent readers, hyparquet and
 * DuckDB in process (natrium query's engine), and must equal the timeline value for value, NA as
 * null. Also: re-exporting replaces files (no duplicate rows), CSV and BDF forms.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../../analyzer/analyze.ts';
import { TABLES } from '../../../analyzer/export/schema.ts';
import { exportLoaded, type Partition } from '../../../analyzer/node/export.ts';
import { chemistryByName } from '../../../analyzer/node/files.ts';
import type { LoadedInput } from '../../../analyzer/node/input.ts';
import { EXAMPLES, queryDataset } from '../../../analyzer/node/query.ts';
import { builtInProfile } from '../../../analyzer/profile.ts';
import { timelineFromBytes } from '../../../analyzer/timeline/ingest.ts';
import { PACK_CHANNELS, Present } from '../../../analyzer/timeline/store.ts';
import { captureScenario } from '../../../device/capture.ts';
import { loadScenario } from '../../../sim/node/load.ts';
import { type Decoded, type DeviceMessage, FaultCode, MessageType } from '../../../protocol/messages.ts';
import { encodeRestarted, generateMessages } from '../generate.ts';

const SCENARIO = fileURLToPath(new URL('../../device/fixtures/capture-8s1p-short.json', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'natrium-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const P: Partition = { packId: 'pack-a', date: '2026-01-02' };
const ID = 'c0ffee0000000001';

let input: LoadedInput;
let report: ReturnType<typeof analyze>;

function capture(): Uint8Array {
  const parts: Uint8Array[] = [];
  captureScenario(loadScenario(SCENARIO), { out: (b) => parts.push(b.slice()), linkFaults: { dropFrame: 0.03 }, seed: 3 });
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  return all;
}

const file = (table: string, ext = 'parquet'): string => join(dir, 'pq', table, `pack_id=${P.packId}`, `date=${P.date}`, `${ID}.${ext}`);
const buf = (path: string): ArrayBuffer => {
  const b = readFileSync(path);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
};
/** NaN as null, for comparing with what a reader returns. */
const nullable = (x: number): number | null => (Number.isNaN(x) ? null : x);

beforeAll(async () => {
  const b = timelineFromBytes(capture());
  input = {
    timeline: b.timeline,
    counters: b.counters,
    lateFrames: 0,
    seqLost: b.assembler.seqLost,
    meta: { name: 'c.bin', kind: 'capture', bytes: b.bytes },
    traceMeta: null,
  };
  report = analyze(
    { timeline: b.timeline, counters: b.counters, meta: input.meta },
    { profile: builtInProfile('default'), chemistry: chemistryByName, today: '2026-01-01' },
  );
  await exportLoaded(input, report, { format: 'parquet', out: join(dir, 'pq'), captureId: ID, partition: P });
}, 60_000);

describe('parquet export read back with hyparquet', () => {
  it('should give the frames table equal to the timeline, NA as null, decimals as integer raw units', async () => {
    const tl = input.timeline;
    const rows = (await parquetReadObjects({ file: buf(file('frames')) })) as Record<string, unknown>[];
    expect(rows).toHaveLength(tl.length);
    let nulls = 0;
    for (let r = 0; r < tl.length; r++) {
      const row = rows[r]!;
      expect(row.row).toBe(r);
      expect(row.t_s).toBe(tl.t_s[r]);
      for (const c of PACK_CHANNELS) {
        const want = nullable(tl.pack[c][r]!);
        if (want === null) nulls++;
        expect(row[c], `${c} row ${r}`).toBe(want);
      }
    }
    expect(nulls).toBeGreaterThan(0); // lost PACK_STATUS frames leave NA that must survive
    const meta = parquetMetadata(buf(file('frames')));
    const volt = meta.schema.find((e) => e.name === 'packVoltage_V')!;
    expect([volt.type, volt.converted_type, volt.scale]).toEqual(['INT32', 'DECIMAL', 4]);
    const chunk = meta.row_groups[0]!.columns.find((c) => c.meta_data?.path_in_schema[0] === 'packVoltage_V')!.meta_data!;
    expect(chunk.encodings).toContain('DELTA_BINARY_PACKED');
    expect(chunk.codec).toBe('SNAPPY');
    expect(chunk.statistics?.max_value).toBeDefined();
  });

  it('should give each decimal column statistics in its unit: the min and max of its values', () => {
    const tl = input.timeline;
    const meta = parquetMetadata(buf(file('frames')));
    let first = 0;
    for (const rg of meta.row_groups) {
      const n = Number(rg.num_rows);
      for (const c of PACK_CHANNELS) {
        const col = TABLES.frames.columns.find((x) => x.name === c)!;
        if (col.kind !== 'decimal') continue;
        const s = rg.columns.find((x) => x.meta_data?.path_in_schema[0] === c)!.meta_data!.statistics!;
        const vals = [...tl.pack[c].subarray(first, first + n)].filter((x) => !Number.isNaN(x));
        expect(Number(s.null_count), c).toBe(n - vals.length);
        if (vals.length === 0) continue;
        // a wrong scale (raw units rescaled again) would be off by a factor of 10^scale
        expect(Number(s.min_value), c).toBeCloseTo(Math.min(...vals), col.scale!);
        expect(Number(s.max_value), c).toBeCloseTo(Math.max(...vals), col.scale!);
      }
      first += n;
    }
    expect(first).toBe(tl.length);
  });

  it('should give the cells table: one row per series group of each row with cell data, float32 values exact, NA kept', async () => {
    const tl = input.timeline;
    const rows = (await parquetReadObjects({ file: buf(file('cells')) })) as Record<string, number>[];
    // inside a row group the rows run cell by cell (analyzer/DATASET.md): put them in time order
    rows.sort((a, b) => a.row! - b.row! || a.cell! - b.cell!);
    let k = 0;
    let nulls = 0;
    const mask = Present.CELLS | Present.BALANCING | Present.CELL_TRUTH | (tl.nt === tl.ns ? Present.TEMPERATURES : 0);
    for (let r = 0; r < tl.length; r++) {
      if ((tl.present[r]! & mask) === 0) continue;
      for (let i = 0; i < tl.ns; i++, k++) {
        const row = rows[k]!;
        expect([row.row, row.cell]).toEqual([r, i]);
        const v = row.voltage_V as number | null;
        if (v === null) nulls++;
        const want = nullable(tl.cellVoltage_V[i]![r]!);
        expect(v === null ? null : Math.fround(v)).toBe(want);
      }
    }
    expect(rows).toHaveLength(k);
    expect(nulls).toBe(
      tl.cellVoltage_V.reduce((n, c) => n + [...c.subarray(0, tl.length)].filter((x, r) => Number.isNaN(x) && (tl.present[r]! & mask) !== 0).length, 0),
    );
  });

  it('should give events and findings as received and reported', async () => {
    const ev = (await parquetReadObjects({ file: buf(file('events')) })) as Record<string, unknown>[];
    expect(ev.map((e) => [e.t_s, e.code, e.raised])).toEqual(input.timeline.events.map((e) => [e.t_s, e.code, e.raised]));
    const f = (await parquetReadObjects({ file: buf(file('findings')) })) as Record<string, unknown>[];
    expect(f.map((x) => x.id)).toEqual(report.findings.map((x) => x.id));
  });
});

describe('parquet export read back with DuckDB (natrium query)', () => {
  it('should count rows and non-NA values per column as the timeline has them, with the partitions as columns', async () => {
    const tl = input.timeline;
    const ds = join(dir, 'pq');
    const sel = PACK_CHANNELS.map((c) => `count(${c})`).join(', ');
    const r = await queryDataset(ds, `SELECT count(*), ${sel}, any_value(pack_id), any_value(date)::VARCHAR FROM frames`);
    const want = [tl.length, ...PACK_CHANNELS.map((c) => tl.pack[c].subarray(0, tl.length).filter((x) => !Number.isNaN(x)).length), P.packId, P.date];
    expect(r.rows[0]!.map((v) => (typeof v === 'bigint' ? Number(v) : v))).toEqual(want);
  });

  it('should return the same values (DECIMAL as exact numbers)', async () => {
    const tl = input.timeline;
    const r = await queryDataset(join(dir, 'pq'), 'SELECT t_s, packVoltage_V, current_A, soc FROM frames ORDER BY row');
    const got = r.rows.map((row) => row.map((v) => (v === null ? null : Number(v))));
    const want = Array.from({ length: tl.length }, (_, k) => [
      tl.t_s[k]!,
      ...(['packVoltage_V', 'current_A', 'soc'] as const).map((c) => nullable(tl.pack[c][k]!)),
    ]);
    expect(got).toEqual(want);
  });

  it('should filter on a decimal column as the values say (no row group skipped on wrong statistics)', async () => {
    const tl = input.timeline;
    const mask = Present.CELLS | Present.BALANCING | Present.CELL_TRUTH | (tl.nt === tl.ns ? Present.TEMPERATURES : 0);
    const volts: number[] = [];
    for (let r = 0; r < tl.length; r++) {
      if ((tl.present[r]! & mask) === 0) continue;
      for (const c of tl.cellVoltage_V) if (!Number.isNaN(c[r]!)) volts.push(c[r]!);
    }
    volts.sort((a, b) => a - b);
    const mid = volts[volts.length >> 1]!;
    const r = await queryDataset(join(dir, 'pq'), `SELECT count(*) FROM cells WHERE voltage_V > ${mid.toFixed(5)}`);
    const want = volts.filter((x) => x > mid).length;
    expect(want).toBeGreaterThan(0);
    expect(Number(r.rows[0]![0])).toBe(want);
  });

  it('should run every documented example query', async () => {
    for (const [name, e] of Object.entries(EXAMPLES)) {
      const r = await queryDataset(join(dir, 'pq'), e.sql);
      expect(r.columns.length, name).toBeGreaterThan(2);
    }
  });

  it('should replace a re-exported capture instead of adding rows', async () => {
    await exportLoaded(input, report, { format: 'parquet', out: join(dir, 'pq'), captureId: ID, partition: P });
    const r = await queryDataset(join(dir, 'pq'), 'SELECT count(*) FROM frames');
    expect(Number(r.rows[0]![0])).toBe(input.timeline.length);
    expect(readdirSync(join(dir, 'pq', 'frames', `pack_id=${P.packId}`, `date=${P.date}`))).toEqual([`${ID}.parquet`]);
  });
});

describe('csv and bdf exports', () => {
  it('should write CSV tables with the schema header and one line per row', async () => {
    await exportLoaded(input, report, { format: 'csv', out: join(dir, 'csv'), captureId: ID, partition: P, tables: ['frames'] });
    const text = readFileSync(join(dir, 'csv', 'frames', `pack_id=${P.packId}`, `date=${P.date}`, `${ID}.csv`), 'utf8');
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe(TABLES.frames.columns.map((c) => c.name).join(','));
    expect(lines).toHaveLength(input.timeline.length + 1);
  });

  it('should write one BDF CSV per series group with BDF column names', async () => {
    const res = await exportLoaded(input, null, { format: 'bdf', out: join(dir, 'bdf'), captureId: ID, partition: P });
    expect(res.files).toHaveLength(input.timeline.ns);
    const lines = readFileSync(res.files[0]!, 'utf8').trimEnd().split('\n');
    const tl = input.timeline;
    const perGroupSensor = tl.nt === tl.ns;
    expect(lines[0]).toBe(`Test Time / s,Voltage / V,Current / A${perGroupSensor ? ',Surface Temperature T1 / degC' : ''}`);
    expect(new Set(lines.map((l) => l.split(',').length))).toEqual(new Set([perGroupSensor ? 4 : 3]));
    let n = 0;
    for (let r = 0; r < tl.length; r++) if (tl.present[r]! & Present.CELLS) n++;
    expect(lines).toHaveLength(n + 1);
    const volts = lines.slice(1).map((l) => l.split(',')[1]);
    const want: string[] = [];
    for (let r = 0; r < tl.length; r++) {
      const v = tl.cellVoltage_V[0]![r]!;
      if (tl.present[r]! & Present.CELLS) want.push(Number.isNaN(v) ? '' : v.toFixed(5));
    }
    expect(volts).toEqual(want);
  });
});

describe('device runs and event units', () => {
  // a session with two device restarts (at 20 s and 40 s of device time) and an EVENT in each of
  // the three runs / the frames' run is 0 before the first restart's row, 1 up to the second's,
  // 2 after; each EVENT's run is the run it was sent in; units as the report gives them
  it('should number the device runs in frames and events, and give EVENT units as the report does', async () => {
    const base = generateMessages({ phases: [{ current_A: -20, duration_s: 60, state: 'NORMAL' }] });
    const event = (t_ms: number, code: number, value: number): Decoded<DeviceMessage> =>
      ({ type: MessageType.EVENT, seq: 0, t_ms, code, tier: 1, raised: true, index: 2, value, threshold: 55 }) as Decoded<DeviceMessage>;
    const extra = [
      event(10_050, FaultCode.OVERTEMPERATURE_DISCHARGE, 56),
      event(30_050, FaultCode.TEMPERATURE_SPREAD, 9),
      event(50_050, FaultCode.CELL_OVERVOLTAGE, 4.2),
    ];
    const msgs = [...base, ...extra].sort((a, b) => a.t_ms - b.t_ms).map((m, i) => ({ ...m, seq: i & 0xffff }));
    const b = timelineFromBytes(encodeRestarted(msgs, [20, 40]));
    const tl = b.timeline;
    expect(tl.clockSteps).toHaveLength(2);
    const loaded: LoadedInput = { ...input, timeline: tl, counters: b.counters, meta: { name: 'r.bin', kind: 'capture', bytes: b.bytes } };
    const out = join(dir, 'runs');
    await exportLoaded(loaded, null, { format: 'parquet', out, captureId: ID, partition: P, tables: ['frames', 'events'] });
    const at = (table: string): string => join(out, table, `pack_id=${P.packId}`, `date=${P.date}`, `${ID}.parquet`);
    const frames = (await parquetReadObjects({ file: buf(at('frames')) })) as Record<string, number>[];
    const [s1, s2] = tl.clockSteps.map((c) => c.row);
    expect(frames.map((f) => f.run)).toEqual(frames.map((f) => (f.row! >= s2! ? 2 : f.row! >= s1! ? 1 : 0)));
    expect(new Set(frames.map((f) => f.run))).toEqual(new Set([0, 1, 2]));
    const ev = (await parquetReadObjects({ file: buf(at('events')) })) as Record<string, unknown>[];
    expect(ev.map((e) => [e.code, e.run, e.unit])).toEqual([
      [FaultCode.OVERTEMPERATURE_DISCHARGE, 0, '°C'],
      [FaultCode.TEMPERATURE_SPREAD, 1, 'K'],
      [FaultCode.CELL_OVERVOLTAGE, 2, 'V'],
    ]);
  });
});
