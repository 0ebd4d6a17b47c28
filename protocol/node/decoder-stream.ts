/**
 * A Node Transform around the Decoder (style.md habit 10: a thin adapter): bytes in, decoded
 * messages out in object mode, e.g. `port.pipe(new DecoderStream()).on('data', (m) => …)`.
 * `counters` are the decoder's. Reuse mode is not offered: a stream may hold messages in its
 * buffer, and a reused object would be overwritten before it is read.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { Decoder, type DecoderCounters, type DecoderOptions } from '../decoder.ts';

export type DecoderStreamOptions = Omit<DecoderOptions, 'onMessage' | 'reuse'>;

export class DecoderStream extends Transform {
  readonly decoder: Decoder;

  constructor(options: DecoderStreamOptions = {}) {
    super({ readableObjectMode: true });
    if (typeof options !== 'object' || options === null) throw new TypeError(`"options" must be an object: ${String(options)}`);
    if ('reuse' in options) throw new TypeError('"reuse" is not available on a stream (messages may wait in its buffer)');
    this.decoder = new Decoder({ ...options, onMessage: (m) => this.push(m) });
  }

  get counters(): DecoderCounters {
    return this.decoder.counters;
  }

  override _transform(chunk: Uint8Array, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.decoder.push(chunk);
    callback();
  }

  override _flush(callback: TransformCallback): void {
    this.decoder.finish();
    callback();
  }
}
