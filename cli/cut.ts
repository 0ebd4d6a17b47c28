/**
 * natrium cut CAPTURE|- [--from S] [--to S] --out FILE|-
 *
 * Writes the frames of a capture whose device time is in [--from, --to) as a capture of their own
 * (analyzer/timeline/cut.ts): the same wire bytes, damage included, so the piece decodes, replays,
 * views and analyses like the whole. Times are seconds from the capture's first frame, the axis
 * of `natrium analyze`'s findings, the viewer and the exported dataset; the piece's own report
 * counts from its first frame, which the summary line names. Exit code 0; 2 an unreadable input,
 * no frame in the window, bad arguments.
 */
import { cutFile, seconds } from '../analyzer/node/cut.ts';
import { UsageError, num, parse } from './args.ts';

const BYTES_PER_MB = 1e6;

const USAGE = `usage: natrium cut CAPTURE|- [--from S] [--to S] --out FILE|-

Writes the frames of CAPTURE (raw serial bytes, "-" for stdin) whose device time lies in
[--from, --to) to FILE ("-" for stdout) as a capture of their own, byte for byte (damage too).
S: seconds from the capture's first frame, as in natrium analyze's findings and the viewer
(e.g. the restart quality.device names, to analyse the runs of two devices apart).
The piece's own report counts from its first frame; the summary line (stderr) gives its time.
Exit code: 0, 2 an unreadable input, no frame in the window, or bad arguments.`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, { from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' } }, USAGE);
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError(`expected one CAPTURE (or - for stdin), got ${positionals.length}\n${USAGE}`);
  const out = values.out as string | undefined;
  if (out === undefined || out === '') throw new UsageError(`missing --out FILE\n${USAGE}`);
  if (values.from === undefined && values.to === undefined)
    throw new UsageError(`give --from, --to or both (without them the piece is the whole capture)\n${USAGE}`);
  const from_s = num('from', values.from as string | undefined, -Infinity);
  const to_s = num('to', values.to as string | undefined, Infinity);
  if (!(to_s > from_s)) throw new UsageError(`--to (${to_s}) must be after --from (${from_s})`);
  const input = positionals[0]!;
  const s = cutFile(input, out, { from_s, to_s });
  if (s.outputClosed) return 0; // natrium cut … --out - | head: ends quietly, as other Unix tools do
  // frames the piece could not place as the whole capture does (analyzer/timeline/cut.ts)
  const dropped = s.dropped > 0 ? `, ${s.dropped} ${s.dropped === 1 ? 'frame' : 'frames'} it could not place as the capture does left out` : '';
  process.stderr.write(
    `natrium cut: ${input} → ${out}: ${s.frames} frames, ${(s.bytes / BYTES_PER_MB).toFixed(2)} MB, ` +
      `${seconds(s.first_s)} to ${seconds(s.last_s)} of the capture${dropped}; the piece's times count from ${seconds(s.first_s)}\n`,
  );
  return 0;
}
