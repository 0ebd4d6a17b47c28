/**
 * The page's side of live mode: the server's /live Server-Sent Events (base64 wire bytes) are
 * gathered and handed to the worker's bounded window (engine/live.ts) at most once per
 * `redraw_ms`, and the panes redrawn after each hand-over unless paused (the window keeps
 * filling while paused). Redraw times are kept (the last REDRAWS_KEPT) for the bench.
 */
import type { SessionSummary } from '../engine/session.ts';
import type { WorkerClient } from './client.ts';

const REDRAWS_KEPT = 600;

export interface LiveOptions {
  client: WorkerClient;
  window_s: number;
  redraw_ms: number;
  /** Called with the window after each hand-over (not while paused); resolves once drawn. */
  draw(summary: SessionSummary, origin_s: number): Promise<void>;
  onError(message: string): void;
}

export class LiveView {
  paused = false;
  /** Milliseconds of each redraw (hand-over to drawn). */
  readonly redraws: number[] = [];
  bytes = 0;
  columnBytes = 0;
  private pending: Uint8Array[] = [];
  private busy = false;
  private readonly source: EventSource;
  private readonly timer: number;

  constructor(private readonly o: LiveOptions) {
    this.source = new EventSource('live');
    this.source.onmessage = (e: MessageEvent<string>) => {
      const bin = atob(e.data);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      this.pending.push(bytes);
      this.bytes += bytes.length;
    };
    this.source.onerror = () => o.onError('live stream interrupted (retrying)');
    this.timer = window.setInterval(() => void this.tick(), o.redraw_ms);
  }

  private async tick(): Promise<void> {
    if (this.busy || this.pending.length === 0) return;
    this.busy = true;
    try {
      const n = this.pending.reduce((s, p) => s + p.length, 0);
      const frames = new Uint8Array(n);
      let at = 0;
      for (const p of this.pending) {
        frames.set(p, at);
        at += p.length;
      }
      this.pending = [];
      const s = performance.now();
      const a = await this.o.client.call<'live'>({ type: 'live', frames: frames.buffer, window_s: this.o.window_s }, [frames.buffer]);
      this.columnBytes = a.columnBytes;
      if (this.paused || a.summary.rows === 0) return;
      await this.o.draw(a.summary, a.origin_s);
      this.redraws.push(performance.now() - s);
      if (this.redraws.length > REDRAWS_KEPT) this.redraws.shift();
    } catch (e) {
      this.o.onError((e as Error).message);
    } finally {
      this.busy = false;
    }
  }

  async clear(): Promise<void> {
    this.pending = [];
    await this.o.client.call<'live-clear'>({ type: 'live-clear' });
  }

  close(): void {
    this.source.close();
    clearInterval(this.timer);
  }
}
