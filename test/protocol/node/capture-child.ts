/**
 * Child process of capture-writer.test.ts: writes frames to a capture (each in two writes, so a
 * kill can land mid-frame) and prints each frame's seq once all of it has been written, until it
 * is killed.
 */
import { writeSync } from 'node:fs';
import { Encoder } from '../../../protocol/encoder.ts';
import { MessageType } from '../../../protocol/messages.ts';
import { CaptureWriter } from '../../../protocol/node/capture-writer.ts';

/** Writes the line to stdout before returning (the pipe is non-blocking: retry while it is full). */
function report(line: string): void {
  for (;;) {
    try {
      writeSync(1, line);
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
    }
  }
}

const w = new CaptureWriter(process.argv[2]!, { truncate: true });
const enc = new Encoder();
const volts = new Float64Array(40);
for (let k = 0; ; k++) {
  for (let i = 0; i < volts.length; i++) volts[i] = 3 + ((k + i) % 100) / 1000;
  const seq = enc.encode({ type: MessageType.CELL_VOLTAGES, offset: 0, voltages_V: volts }, k * 10);
  const b = enc.take();
  const cut = 1 + ((k * 37) % (b.length - 1));
  w.write(b.subarray(0, cut));
  w.write(b.subarray(cut));
  report(`${seq}\n`);
}
