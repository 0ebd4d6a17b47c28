/**
 * runAsFastAsPossible (device/run.ts): device time in chunks, the event loop served between
 * them, flow control and the ways to stop. The device is a small fake (test/protocol/fake-model.ts).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHUNK_MS, runAsFastAsPossible } from '../../device/run.ts';
import { EmulatedDevice } from '../../protocol/device.ts';
import { FakeModel } from '../protocol/fake-model.ts';

function device(): { device: EmulatedDevice; bytes: () => number } {
  let n = 0;
  const d = new EmulatedDevice(new FakeModel({ ns: 8 }), (b) => (n += b.length), { baudRate: 115200 });
  return { device: d, bytes: () => n };
}

describe('runAsFastAsPossible', () => {
  it('should reach until_ms in chunks of device time, reporting each', async () => {
    const { device: d, bytes } = device();
    const seen: number[] = [];
    await runAsFastAsPossible(d, { until_ms: 10_005, onAdvance: (t) => seen.push(t) });
    expect(d.time_ms).toBe(10_000); // the last whole tick at or before until_ms
    expect(seen[0]).toBe(DEFAULT_CHUNK_MS);
    expect(seen.at(-1)).toBe(10_000);
    for (let i = 1; i < seen.length; i++) expect(seen[i]! - seen[i - 1]!).toBeLessThanOrEqual(DEFAULT_CHUNK_MS);
    expect(bytes()).toBeGreaterThan(0);
    const short = device();
    const steps: number[] = [];
    await runAsFastAsPossible(short.device, { until_ms: 95, chunk_ms: 30, onAdvance: (t) => steps.push(t) });
    expect(steps).toEqual([30, 60, 90]);
  });

  // it only finishes once a timer set before it has run: it must give the event loop its turns
  it('should yield to the event loop between chunks', async () => {
    const { device: d } = device();
    let fired = false;
    let firedAt_ms = -1;
    setTimeout(() => {
      fired = true;
      firedAt_ms = d.time_ms;
    }, 0);
    await runAsFastAsPossible(d, { until_ms: Infinity, chunk_ms: 100, stopWhen: () => fired });
    expect(fired).toBe(true);
    expect(firedAt_ms).toBeGreaterThan(0); // the run had started
    expect(d.time_ms).toBe(firedAt_ms);

    // and with a time to reach: the timer runs before the run is over
    const second = device();
    let before = false;
    setTimeout(() => (before = second.device.time_ms < 300_000), 0);
    await runAsFastAsPossible(second.device, { until_ms: 300_000, chunk_ms: 100 });
    expect(before).toBe(true);
  });

  it('should not advance while blocked, and go on once unblocked', async () => {
    const { device: d } = device();
    let open = false;
    let checksWhileBlocked = 0;
    const blocked = (): boolean => {
      if (!open) {
        checksWhileBlocked++;
        expect(d.time_ms).toBe(0);
      }
      return !open;
    };
    setTimeout(() => (open = true), 20);
    await runAsFastAsPossible(d, { until_ms: 5000, blocked });
    expect(checksWhileBlocked).toBeGreaterThan(1);
    expect(d.time_ms).toBe(5000);

    // blocked again in the middle: no chunk starts until it clears
    const mid = device();
    const times: number[] = [];
    let k = 0;
    await runAsFastAsPossible(mid.device, {
      until_ms: 3000,
      blocked: () => {
        times.push(mid.device.time_ms);
        return ++k >= 2 && k <= 4; // the 2nd to 4th looks find it blocked
      },
    });
    expect(times.slice(0, 5)).toEqual([0, 1000, 1000, 1000, 1000]);
    expect(mid.device.time_ms).toBe(3000);
  });

  it('should stop on the signal and on stopWhen', async () => {
    const { device: d } = device();
    const ac = new AbortController();
    await runAsFastAsPossible(d, { until_ms: Infinity, onAdvance: (t) => t >= 4000 && ac.abort(), signal: ac.signal });
    expect(d.time_ms).toBe(4000);
    const other = device();
    await runAsFastAsPossible(other.device, { until_ms: 60_000, stopWhen: () => other.device.time_ms >= 2000 });
    expect(other.device.time_ms).toBe(2000);
    const aborted = device();
    await runAsFastAsPossible(aborted.device, { until_ms: 60_000, signal: AbortSignal.abort() });
    expect(aborted.device.time_ms).toBe(0);
  });

  it('should refuse bad options with a TypeError naming the option', async () => {
    const { device: d } = device();
    await expect(runAsFastAsPossible(d, { until_ms: Number.NaN })).rejects.toThrow(/"until_ms"/);
    await expect(runAsFastAsPossible(d, { until_ms: 100, chunk_ms: 0 })).rejects.toThrow(/"chunk_ms"/);
  });
});
