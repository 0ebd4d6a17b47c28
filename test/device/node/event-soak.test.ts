/**
 * Issue 9 §8: an `emulate --mock` run with a fault toggling every minute delivers every EVENT
 * (the EVENT queue never stops, nothing is lost on the way). Here an hour of device time (59
 * toggles, about 5 s of CPU); the bench case `emulate-events-24h` runs the full day (1440
 * toggles), about 100 s of CPU, too long for the unit suite.
 */
import { describe, expect, it } from 'vitest';
import { eventSoak } from './event-soak.ts';

describe('EVENTs of an emulate --mock session with a fault toggling every minute', () => {
  it('should deliver one EVENT frame per raise and clear, with no frame missing', async () => {
    const r = await eventSoak({ duration_s: 3600, period_s: 60, mockPath: '/dev/natrium-test-event-soak' });
    expect(r.toggles).toBe(59); // at 1, 2, ... 59 min
    expect(r.nacks).toBe(0);
    // HOST_COMM_LOSS: WARNING and FATAL raised in every minute with the link lost, cleared in the next
    expect(r.transitions).toBeGreaterThanOrEqual(2 * r.toggles);
    expect(r.events).toBe(r.transitions);
    expect([r.seqMissing, r.damaged, r.txDropped]).toEqual([0, 0, 0]);
  }, 300_000);
});
