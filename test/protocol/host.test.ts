import { afterEach, describe, expect, it, vi } from 'vitest';
import { decodeAll } from '../../protocol/decoder.ts';
import { Encoder } from '../../protocol/encoder.ts';
import { CommandTimeoutError, HostSession } from '../../protocol/host.ts';
import { MessageType, NackReason } from '../../protocol/messages.ts';
import { concat } from './helpers.ts';

afterEach(() => {
  vi.useRealTimers();
});

describe('HostSession', () => {
  it('should retry with a new seq when no answer comes, then give up', async () => {
    vi.useFakeTimers();
    const writes: Uint8Array[] = [];
    const host = new HostSession((b) => writes.push(b), { timeout_ms: 250, retries: 2 });
    const failed = host.command({ type: MessageType.CMD_RESET_FAULTS }).catch((e: unknown) => e);
    expect(writes).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(250);
    expect(writes).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(250);
    expect(writes).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(250);
    const e = await failed;
    expect(e).toBeInstanceOf(CommandTimeoutError);
    expect((e as CommandTimeoutError).timeout).toBe(true);
    expect((e as CommandTimeoutError).attempts).toBe(3);
    expect(decodeAll(concat(...writes)).map((m) => [m.type, m.seq])).toEqual([
      [MessageType.CMD_RESET_FAULTS, 0],
      [MessageType.CMD_RESET_FAULTS, 1],
      [MessageType.CMD_RESET_FAULTS, 2],
    ]);
  });

  it('should resolve with the answer carrying its seq and type, and ignore the others', async () => {
    vi.useFakeTimers();
    const writes: Uint8Array[] = [];
    const host = new HostSession((b) => writes.push(b), { timeout_ms: 250 });
    const p = host.command({ type: MessageType.CMD_SET_RATE, messageType: MessageType.PACK_STATUS, rate_Hz: 5 });
    await vi.advanceTimersByTimeAsync(250); // first attempt (seq 0) lost: retried as seq 1
    const dev = new Encoder();
    dev.encode({ type: MessageType.ACK, commandSeq: 0, commandType: MessageType.CMD_SET_STATE }, 1); // other type
    dev.encode({ type: MessageType.ACK, commandSeq: 7, commandType: MessageType.CMD_SET_RATE }, 2); // other seq
    dev.encode({ type: MessageType.NACK, commandSeq: 1, commandType: MessageType.CMD_SET_RATE, reason: NackReason.BAD_VALUE }, 3);
    host.receive(dev.take());
    const a = await p;
    expect(a).toMatchObject({ type: MessageType.NACK, commandSeq: 1, reason: NackReason.BAD_VALUE });
    await vi.advanceTimersByTimeAsync(1000);
    expect(writes).toHaveLength(2); // no retry after the answer
  });

  it('should keep the latest INFO and PACK_STATUS and count link errors', () => {
    const host = new HostSession(() => {});
    const dev = new Encoder();
    dev.encode({ type: MessageType.CMD_REQUEST_INFO }, 1);
    const bytes = dev.take();
    bytes[3]! ^= 0x10; // damage the first frame
    host.receive(bytes);
    expect(host.linkErrors()).toBe(1);
    expect(host.status).toBeNull();
  });

  it('should count sequence gaps only after its first frame (a host that attaches to a running device)', () => {
    const host = new HostSession(() => {});
    const dev = new Encoder({ initialSeq: 1500, leadingDelimiter: false });
    const ack = { type: MessageType.ACK, commandSeq: 0, commandType: MessageType.CMD_REQUEST_INFO } as const;
    for (let k = 0; k < 3; k++) dev.encode(ack, k);
    const stream = dev.take();
    host.receive(stream.subarray(5)); // joined mid-frame, 1500 frames after the device's reset
    expect(host.linkErrors()).toBe(0);
    expect(host.counters).toMatchObject({ frames: 2, seqGaps: 0, seqMissing: 0 });
    dev.encode(ack, 3);
    dev.take(); // lost on the line
    dev.encode(ack, 4);
    host.receive(dev.take());
    expect(host.counters).toMatchObject({ seqGaps: 1, seqMissing: 1 });
    expect(host.linkErrors()).toBe(1);
  });
});
