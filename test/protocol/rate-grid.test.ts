/**
 * PROTOCOL.md §8, "Scheduling": message k after CMD_SET_RATE r Hz, answered in the tick at t0,
 * goes at t0 + 10·⌈100·k/r⌉ ms on a device of 10 ms ticks, for every rate 1..100 Hz, and a rate
 * that does not divide 1000 ms does not drift over a long run.
 */
import { describe, expect, it } from 'vitest';
import { Decoder } from '../../protocol/decoder.ts';
import { EmulatedDevice } from '../../protocol/device.ts';
import { Encoder } from '../../protocol/encoder.ts';
import { MAX_RATE_HZ, MessageType } from '../../protocol/messages.ts';
import { FakeModel } from './fake-model.ts';

const TICK_MS = 10;

/** PACK_STATUS times after setting its rate to `hz` at device time 1234 ms, for `run_ms`; and the ACK's tick. */
function statusTimes(hz: number, run_ms: number): { t0: number; times: number[] } {
  let t0 = NaN;
  const times: number[] = [];
  const dec = new Decoder({
    onMessage: (m) => {
      if (m.type === MessageType.ACK) t0 = m.t_ms;
      else if (m.type === MessageType.PACK_STATUS && !Number.isNaN(t0)) times.push(m.t_ms);
    },
  });
  const device = new EmulatedDevice(new FakeModel(), (b) => dec.push(b), { baudRate: 10_000_000 });
  device.advanceTo(1234);
  const enc = new Encoder();
  enc.encode({ type: MessageType.CMD_SET_RATE, messageType: MessageType.PACK_STATUS, rate_Hz: hz }, 0);
  device.receive(enc.take());
  device.advanceTo(1234 + run_ms);
  return { t0, times: times.filter((t) => t < t0 + run_ms - TICK_MS) };
}

const grid = (t0: number, hz: number, n: number): number[] => Array.from({ length: n }, (_, k) => t0 + TICK_MS * Math.ceil((100 * k) / hz));

describe('the rate grid (PROTOCOL.md §8)', () => {
  it('should send message k at t0 + 10·⌈100·k/r⌉ ms, for every rate', () => {
    for (let hz = 1; hz <= MAX_RATE_HZ; hz++) {
      const { t0, times } = statusTimes(hz, 2000);
      expect(t0 % TICK_MS).toBe(0);
      expect(times, `${hz} Hz`).toEqual(grid(t0, hz, times.length));
      expect(
        times.filter((t) => t < t0 + 1000),
        `${hz} Hz in the first second`,
      ).toHaveLength(hz);
    }
  });

  it('should give the intervals the examples show for 3 and 7 Hz', () => {
    const at = (hz: number): number[] => grid(0, hz, hz + 2);
    expect(at(3)).toEqual([0, 340, 670, 1000, 1340]);
    expect(at(7).slice(0, 8)).toEqual([0, 150, 290, 430, 580, 720, 860, 1000]);
  });

  it('should not drift over five minutes at rates that do not divide 1000 ms', () => {
    for (const hz of [3, 7, 33, 99]) {
      const { t0, times } = statusTimes(hz, 300_000);
      expect(times.length).toBeGreaterThanOrEqual(299 * hz);
      expect(times, `${hz} Hz`).toEqual(grid(t0, hz, times.length));
    }
  });
});
