/**
 * natrium decode cap.bin|- [--json]
 *
 * Decodes a capture file (the raw bytes of a serial line, PROTOCOL.md section 14) and prints one
 * line per message: `t_ms #seq TYPE field=value ...`, or with --json one NDJSON object per message
 * (`type`, `seq`, `t_ms`, then its fields; NA as null), then the decoder's counters (text: a
 * `counters:` line; --json: a last line `{"counters":{…}}`). A capture cut in the middle of a
 * frame is not an error: every complete frame is printed and the cut tail is counted in
 * `incompleteBytes` (a capture cut inside its first frame prints no message). A missing or
 * unreadable file, or one with no frame and more bytes out of sync than a frame holds (not a
 * capture): one line on stderr, exit 2.
 */
import { statSync } from 'node:fs';
import { MAX_ENCODED_FRAME_SIZE } from '../protocol/messages.ts';
import { CaptureFileError, readCapture } from '../protocol/node/capture-reader.ts';
import { InputError } from '../sim/errors.ts';
import { UsageError, parse } from './args.ts';
import { LineWriter, countersLine, countersText, jsonLine, textLine } from './format.ts';

const USAGE = `usage: natrium decode CAPTURE|- [--json]

Prints the messages of a capture file (raw serial bytes, "-" for stdin), then the decoder's counters.
--json: one JSON object per line, the last one {"counters":{...}}.
Exit code: 0, 2 a missing file or one whose bytes hold no frame (not a capture).`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { json: { type: 'boolean', default: false } }, USAGE);
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`expected one CAPTURE file (or - for stdin), got ${positionals.length}\n${USAGE}`);
  const path = positionals[0]!;
  const json = values.json as boolean;
  const out = new LineWriter();
  const fmt = json ? jsonLine : textLine;
  let counters;
  try {
    // each message is formatted before the next is decoded: its objects may be reused
    counters = readCapture(path, (m) => out.line(fmt(m)), { reuse: true });
  } catch (e) {
    if (e instanceof CaptureFileError)
      throw new InputError(path, '(file)', e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'is a directory' : `cannot read: ${e.code}`);
    throw e;
  }
  // no frame, and more bytes out of sync than one frame can hold (so not a capture that started
  // mid-frame and was cut before its first whole frame): not a capture (a trace, a typo'd file)
  if (counters.frames === 0 && counters.presyncBytes + counters.bytesDiscarded > MAX_ENCODED_FRAME_SIZE)
    throw new InputError(
      path,
      '(file)',
      `no natrium frames in ${path === '-' ? 'the input' : `${statSync(path).size} bytes`} (not a capture?; ${countersText(counters).slice('counters: '.length)})`,
    );
  out.line(json ? countersLine(counters) : countersText(counters));
  out.flush();
  return 0;
}
