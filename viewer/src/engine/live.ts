/**
 * Live telemetry in the worker, in bounded memory: wire bytes from the server's /live stream go
 * to two TimelineBuilders that leapfrog. The older one (shown) is dropped once it spans two
 * windows; the younger, started when the older spanned one window, takes its place, and a new one
 * starts; so the page always has between one and two windows of the latest telemetry (it shows the
 * latest window) and the memory held is at most about three windows, however long the stream runs. A builder that starts
 * mid-stream resynchronises at the next frame boundary (PROTOCOL.md: a 0x00 ends every frame).
 *
 * A builder's time axis starts at its first frame; `origin_s` (that frame's device clock, s)
 * turns it back into device time for display.
 */
import { TimelineBuilder } from '../../../analyzer/timeline/ingest.ts';
import type { Timeline } from '../../../analyzer/timeline/store.ts';

interface Run {
  b: TimelineBuilder;
  origin_s: number;
}

export class LiveWindow {
  private shown: Run;
  private next: Run | null = null;
  /** Bytes received since the start or the last clear. */
  bytes = 0;

  constructor(readonly window_s: number) {
    if (!(window_s > 0)) throw new TypeError(`"window_s" must be > 0, got ${window_s}`);
    this.shown = LiveWindow.run();
  }

  private static run(): Run {
    const r: Run = { b: null as unknown as TimelineBuilder, origin_s: NaN };
    r.b = new TimelineBuilder({
      onMessage: (m) => {
        if (r.origin_s !== r.origin_s) r.origin_s = m.t_ms / 1000;
      },
    });
    return r;
  }

  push(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    this.shown.b.push(chunk);
    this.next?.b.push(chunk);
    const span = this.shown.b.timeline.duration_s;
    if (this.next === null && span >= this.window_s) this.next = LiveWindow.run();
    if (span >= 2 * this.window_s && this.next !== null) {
      this.shown = this.next;
      this.next = LiveWindow.run();
    }
  }

  clear(): void {
    this.shown = LiveWindow.run();
    this.next = null;
    this.bytes = 0;
  }

  get timeline(): Timeline {
    return this.shown.b.timeline;
  }

  get origin_s(): number {
    return this.shown.origin_s;
  }

  /** Column bytes held by both builders. */
  get columnBytes(): number {
    return this.shown.b.timeline.columnBytes + (this.next?.b.timeline.columnBytes ?? 0);
  }
}
