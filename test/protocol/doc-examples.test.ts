/**
 * PROTOCOL.md cannot drift from the code: its worked examples are parsed and checked against the
 * encoder and decoder, and its C struct sizes, constants and enum tables against the codecs.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CODEC_BY_TYPE } from '../../protocol/codec/index.ts';
import { TIER_LIMITS_SIZE } from '../../protocol/codec/info.ts';
import { decodeAll } from '../../protocol/decoder.ts';
import { EXAMPLES, renderExamples } from '../../protocol/examples.ts';
import { encodeFrame, rawFrame } from '../../protocol/frame.ts';
import { messageFromJson, messageToJson, type Json } from '../../protocol/json.ts';
import {
  BmsState,
  CELL_VOLTAGES_MAX_COUNT,
  FaultCode,
  FaultTier,
  HEADER_SIZE,
  MAX_CELLS,
  MAX_ENCODED_FRAME_SIZE,
  MAX_FRAME_SIZE,
  MAX_PAYLOAD_SIZE,
  MAX_TEMPERATURE_SENSORS,
  MessageType,
  NackReason,
  PROTOCOL_VERSION,
  SIM_CELL_TRUTH_MAX_COUNT,
  TEMPERATURES_MAX_COUNT,
  type Message,
} from '../../protocol/messages.ts';
import { cobsMaxEncodedLength } from '../../protocol/cobs.ts';

const doc = readFileSync(new URL('../../protocol/PROTOCOL.md', import.meta.url), 'utf8');
const BEGIN = /<!-- BEGIN GENERATED EXAMPLES[^>]*-->\n/;
const END = '<!-- END GENERATED EXAMPLES -->';

interface DocExample {
  title: string;
  json: { [k: string]: Json };
  hex: Record<'header' | 'payload' | 'crc' | 'wire', number[]>;
}

/** Parses "### Example: ..." blocks: a ```json block, then a ```text block of labelled hex lines. */
function parseExamples(md: string): DocExample[] {
  const out: DocExample[] = [];
  const re = /^### Example: (.+)\n\n```json\n(.+)\n```\n\n```text\n([\s\S]*?)```/gm;
  for (const m of md.matchAll(re)) {
    const hex = { header: [], payload: [], crc: [], wire: [] } as DocExample['hex'];
    let label: keyof DocExample['hex'] | null = null;
    for (const line of m[3]!.split('\n').filter(Boolean)) {
      const lm = /^(header|payload|crc|wire):\s*(.*)$/.exec(line);
      if (lm) label = lm[1] as keyof DocExample['hex'];
      if (label === null) throw new Error(`hex line without a label: ${line}`);
      const bytes = (lm ? lm[2]! : line).trim();
      if (bytes === '(empty)') continue;
      for (const b of bytes.split(/\s+/)) {
        if (!/^[0-9a-f]{2}$/.test(b)) throw new Error(`bad hex byte "${b}" in example "${m[1]}"`);
        hex[label].push(parseInt(b, 16));
      }
    }
    out.push({ title: m[1]!, json: JSON.parse(m[2]!) as { [k: string]: Json }, hex });
  }
  return out;
}

const section = (() => {
  const b = BEGIN.exec(doc);
  const e = doc.indexOf(END);
  if (b === null || e < 0) throw new Error('PROTOCOL.md: generated examples markers not found');
  return doc.slice(b.index + b[0].length, e);
})();
const examples = parseExamples(section);

describe('PROTOCOL.md', () => {
  it('should contain an example of every message type', () => {
    expect(examples.length).toBe(EXAMPLES.length);
    const types = new Set(examples.map((e) => e.json.type));
    for (const name of Object.keys(MessageType)) expect(types).toContain(name);
  });

  it.each(examples.map((e) => [e.title, e] as const))('should match the encoder and decoder: %s', (_t, e) => {
    const m = messageFromJson(e.json);
    const body = { ...m } as Partial<typeof m>;
    delete body.seq;
    delete body.t_ms;
    const raw = Array.from(rawFrame(body as Message, m.seq, m.t_ms));
    expect(e.hex.header).toEqual(raw.slice(0, HEADER_SIZE));
    expect(e.hex.payload).toEqual(raw.slice(HEADER_SIZE, raw.length - 4));
    expect(e.hex.crc).toEqual(raw.slice(raw.length - 4));
    expect(e.hex.wire).toEqual(Array.from(encodeFrame(body as Message, m.seq, m.t_ms)));
    const decoded = decodeAll(Uint8Array.from(e.hex.wire));
    expect(decoded.length).toBe(1);
    expect(messageToJson(decoded[0]!)).toEqual(e.json);
  });

  it('should hold exactly the examples section that protocol/examples.ts renders', () => {
    expect(section.trim()).toBe(renderExamples().trim());
  });

  it('should state C struct sizes equal to the codec payload sizes', () => {
    const asserted = new Map([...doc.matchAll(/_Static_assert\(sizeof\((\w+)\) == (\d+)/g)].map((m) => [m[1]!, Number(m[2])]));
    const size = (m: Message): number => CODEC_BY_TYPE[m.type]!.size(m);
    const sample = (type: number): Message => EXAMPLES.find((e) => e.message.type === type)!.message;
    const expected: Record<string, number> = {
      nat_header_t: HEADER_SIZE,
      nat_tier_limits_t: TIER_LIMITS_SIZE,
      nat_info_t: size(sample(MessageType.INFO)),
      nat_pack_status_t: size(sample(MessageType.PACK_STATUS)),
      nat_cell_voltages_t: size({ type: MessageType.CELL_VOLTAGES, offset: 0, voltages_V: new Float64Array(0) }),
      nat_temperatures_t: size({ type: MessageType.TEMPERATURES, offset: 0, temperatures_C: new Float64Array(0) }),
      nat_balancing_t: size({ type: MessageType.BALANCING, offset: 0, active: new Uint8Array(0) }),
      nat_event_t: size(sample(MessageType.EVENT)),
      nat_ack_t: size(sample(MessageType.ACK)),
      nat_link_stats_t: size(sample(MessageType.LINK_STATS)),
      nat_sim_truth_t: size(sample(MessageType.SIM_TRUTH)),
      nat_sim_cell_truth_t: size({ type: MessageType.SIM_CELL_TRUTH, offset: 0, soc: new Float64Array(0), coreTemperatures_C: new Float64Array(0) }),
      nat_cmd_set_state_t: size(sample(MessageType.CMD_SET_STATE)),
      nat_cmd_set_rate_t: size(sample(MessageType.CMD_SET_RATE)),
      nat_cmd_inject_fault_t: size(sample(MessageType.CMD_INJECT_FAULT)),
    };
    expect(Object.fromEntries(asserted)).toEqual(expected);
    expect(size(sample(MessageType.NACK))).toBe(expected.nat_ack_t);
  });

  it('should state the constants the code uses', () => {
    const define = (name: string): number => Number(new RegExp(`#define ${name}\\s+(\\d+)`).exec(doc)?.[1]);
    expect(define('NAT_PROTOCOL_VERSION')).toBe(PROTOCOL_VERSION);
    expect(define('NAT_MAX_FRAME_SIZE')).toBe(MAX_FRAME_SIZE);
    expect(define('NAT_MAX_PAYLOAD_SIZE')).toBe(MAX_PAYLOAD_SIZE);
    expect(define('NAT_MAX_ENCODED_SIZE')).toBe(MAX_ENCODED_FRAME_SIZE);
    expect(cobsMaxEncodedLength(MAX_FRAME_SIZE)).toBe(MAX_ENCODED_FRAME_SIZE);
    expect(define('NAT_MAX_CELLS')).toBe(MAX_CELLS);
    expect(define('NAT_MAX_TEMP_SENSORS')).toBe(MAX_TEMPERATURE_SENSORS);
    // the largest chunks fill the payload and no more
    expect(4 + 2 * CELL_VOLTAGES_MAX_COUNT).toBeLessThanOrEqual(MAX_PAYLOAD_SIZE);
    expect(4 + 2 * (CELL_VOLTAGES_MAX_COUNT + 1)).toBeGreaterThan(MAX_PAYLOAD_SIZE);
    expect(4 + 2 * TEMPERATURES_MAX_COUNT).toBeLessThanOrEqual(MAX_PAYLOAD_SIZE);
    expect(4 + 4 * SIM_CELL_TRUTH_MAX_COUNT).toBeLessThanOrEqual(MAX_PAYLOAD_SIZE);
    expect(4 + 4 * (SIM_CELL_TRUTH_MAX_COUNT + 1)).toBeGreaterThan(MAX_PAYLOAD_SIZE);
  });

  it('should list the message ids and enum values the code uses', () => {
    const rows = (heading: string): [number, string][] => {
      const at = doc.indexOf(heading);
      const table = doc.slice(at, doc.indexOf('\n\n', doc.indexOf('|', at)));
      return [...table.matchAll(/^\| (0x[0-9A-F]{2}|\d+) \| ([A-Z_]+)/gm)].map((m) => [Number(m[1]), m[2]!]);
    };
    const asPairs = (o: Record<string, number>): [number, string][] => Object.entries(o).map(([k, v]) => [v, k]);
    expect(rows('## 8. Message catalogue')).toEqual(asPairs(MessageType));
    expect(rows('### 12.1 BMS state')).toEqual(asPairs(BmsState));
    expect(rows('### 12.2 Fault tier')).toEqual(asPairs(FaultTier));
    expect(rows('### 12.3 Fault codes')).toEqual(asPairs(FaultCode));
    expect(rows('### 12.4 NACK reason')).toEqual(asPairs(NackReason));
  });
});
