/**
 * The protocol core in a real browser: protocol/index.ts bundled by Vite as the viewer will
 * bundle it, loaded into headless Debian Chromium (driven by playwright-core), where it encodes
 * a telemetry stream, damages it, and decodes it on both paths. Checks that the core needs no
 * Node API, that the WebAssembly frame scanner compiles on the page's main thread (engine
 * 'wasm'), and that both paths agree there with what Node decodes.
 *
 * Needs /usr/bin/chromium (Debian package chromium; .ci/run installs it) or CHROMIUM_PATH.
 */
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as protocol from '../../../protocol/index.ts';
import { Decoder, messageToJson, type DecoderCounters, type Json } from '../../../protocol/index.ts';
import { MODULE_PAGE, type PageServer, bundle, launchChromium, pageResult, resultScript, servePages } from '../../browser.ts';

const ENTRY = fileURLToPath(new URL('../../../protocol/index.ts', import.meta.url));
/** The page's script: the same stream as `stream()` below, decoded on both paths. */
const PAGE_SCRIPT = resultScript(
  "import * as P from './protocol.js';",
  `const bytes = (${String(streamSource())})(P);
  const out = {};
  for (const engine of ['auto', 'js']) {
    const msgs = [];
    const d = new P.Decoder({ engine, onMessage: (m) => msgs.push(P.messageToJson(m)) });
    for (let p = 0; p < bytes.length; p += 777) d.push(bytes.subarray(p, p + 777));
    d.finish();
    out[engine] = { engine: d.engine, messages: msgs, counters: d.counters };
  }
  out.crc = P.crc32c(new TextEncoder().encode('123456789'));
  window.result = out;`,
);

/**
 * Builds a stream of 300 ticks (CELL_VOLTAGES of 120 cells in two chunks, TEMPERATURES, an
 * ACK) with one bit flipped in every 37th frame. Written as a function of the
 * protocol module so the page and Node run the very same code.
 */
function streamSource() {
  return function stream(P: typeof import('../../../protocol/index.ts')): Uint8Array {
    const enc = new P.Encoder();
    const v = new Float64Array(120);
    const parts: Uint8Array[] = [];
    let frame = 0;
    const emit = (m: Parameters<typeof enc.encode>[0], t: number): void => {
      enc.encode(m, t);
      const b = enc.take().slice();
      if (++frame % 37 === 0) {
        const at = frame % (b.length - 1); // never the 0x00 at the end
        b[at] = b[at]! ^ 0x10;
      }
      parts.push(b);
    };
    for (let k = 0; k < 300; k++) {
      for (let i = 0; i < v.length; i++) v[i] = 3.1 + ((k * 7 + i * 13) % 900) / 1000;
      for (const c of P.chunkCellVoltages(v, 100)) emit(c, k * 100);
      emit({ type: P.MessageType.TEMPERATURES, offset: 0, temperatures_C: Float64Array.of(25 + k / 100, -5.5, 40) }, k * 100);
      emit({ type: P.MessageType.ACK, commandSeq: k, commandType: 0x81 }, k * 100);
    }
    const n = parts.reduce((s, p) => s + p.length, 0);
    const out = new Uint8Array(n);
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  };
}

let server: PageServer;
let browser: Browser;

beforeAll(async () => {
  server = await servePages({
    '/': ['text/html', MODULE_PAGE],
    '/page.js': ['text/javascript', PAGE_SCRIPT],
    '/protocol.js': ['text/javascript', await bundle(ENTRY, 'protocol')],
  });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('protocol core in Chromium', () => {
  it('decodes a damaged stream on the WebAssembly and JavaScript paths as Node does', async () => {
    const { result: got, errors } = await pageResult<Record<'auto' | 'js', { engine: string; messages: Json[]; counters: DecoderCounters }> & { crc: number }>(
      browser,
      server.base + '/',
      30_000,
    );
    expect(errors).toEqual([]);
    expect(got.error).toBeUndefined();

    // the same stream in Node
    const bytes = streamSource()(protocol);
    const messages: Json[] = [];
    const d = new Decoder({ onMessage: (m) => messages.push(messageToJson(m)) });
    d.push(bytes);
    d.finish();

    expect(got.crc).toBe(0xe3069283);
    expect(got.auto.engine).toBe('wasm');
    expect(got.js.engine).toBe('js');
    expect(d.counters.crcErrors).toBeGreaterThan(5); // the damage is there
    expect(d.counters.crcErrors + d.counters.cobsErrors).toBe(d.counters.seqMissing);
    expect(got.auto.counters).toEqual(d.counters);
    expect(got.js.counters).toEqual(d.counters);
    expect(got.auto.messages).toEqual(messages);
    expect(got.js.messages).toEqual(messages);
    expect(messages.some((m) => (m as { type?: string }).type === 'CELL_VOLTAGES')).toBe(true);
  });
});
