/**
 * An emulated serial device: a DeviceSession (session.ts) feeding a PacedLink (link.ts), run in
 * ticks on device time. `advanceTo(t_ms)` runs every tick up to t_ms; in each tick the line first
 * carries the bytes it had time for, then the session answers commands and queues telemetry, so
 * a frame made in a tick leaves at the next one (one tick of latency, like tick-based firmware).
 * Bytes from the host go to `receive`; bytes to the host come out of `out`. Transport-agnostic:
 * protocol/node/ connects it to a mock or a real serial port, tests drive it directly.
 */
import { LinkFaults, type LinkFaultRates } from './linkfaults.ts';
import { PacedLink, type LinkOptions } from './link.ts';
import { DeviceSession, type DeviceModel, type SessionOptions } from './session.ts';

export interface DeviceOptions extends SessionOptions {
  /** Line rate, bit/s (default 115200). */
  baudRate?: number;
  /** Tick period, ms (default 10: the highest telemetry rate, 100 Hz). */
  tick_ms?: number;
  /** Transmit buffer (see PacedLink). */
  queueBytes?: LinkOptions['queueBytes'];
  reserveBytes?: LinkOptions['reserveBytes'];
  /** Seeded faults on the device → host direction (default none). */
  faults?: LinkFaultRates | null;
  /** Seed of the faults (default 1). */
  seed?: number;
  /** Flow control: while this returns true the line sends nothing (the port downstream is full). */
  blocked?: () => boolean;
}

export class EmulatedDevice {
  readonly session: DeviceSession;
  readonly link: PacedLink;
  /** The faults on the line, null when none were asked for. */
  readonly faults: LinkFaults | null;
  readonly tick_ms: number;
  private readonly blocked: (() => boolean) | null;
  private k = 0;
  private held = 0;

  constructor(model: DeviceModel, out: (bytes: Uint8Array) => void, options: DeviceOptions = {}) {
    if (typeof options !== 'object' || options === null) throw new TypeError(`"options" must be an object: ${String(options)}`);
    const { baudRate = 115200, tick_ms = 10, queueBytes, reserveBytes, faults = null, seed = 1, blocked, ...session } = options;
    if (blocked !== undefined && typeof blocked !== 'function') throw new TypeError(`"blocked" must be a function: ${String(blocked)}`);
    this.blocked = blocked ?? null;
    if (typeof tick_ms !== 'number' || !(tick_ms > 0) || !Number.isFinite(tick_ms))
      throw new TypeError(`"tick_ms" must be a positive number: ${String(tick_ms)}`);
    this.tick_ms = tick_ms;
    this.faults = faults === null ? null : new LinkFaults(faults, seed);
    this.link = new PacedLink(out, { baudRate, queueBytes, reserveBytes, faults: this.faults });
    this.session = new DeviceSession(model, this.link, session);
    this.link.advance(0);
    this.session.tick(0);
  }

  /** Device time reached, ms. */
  get time_ms(): number {
    return this.k * this.tick_ms;
  }

  /** Device time the line was held by flow control (`blocked`), ms. */
  get held_ms(): number {
    return this.held;
  }

  /** Bytes from the host. */
  receive(bytes: Uint8Array): void {
    this.session.receive(bytes);
  }

  /** Runs every tick up to device time t_ms (a time between ticks runs up to the tick before it). */
  advanceTo(t_ms: number): void {
    const dt = this.tick_ms;
    while ((this.k + 1) * dt <= t_ms + 1e-9) {
      const t = ++this.k * dt;
      if (this.blocked !== null && this.blocked()) {
        this.link.hold(t);
        this.held += dt;
      } else this.link.advance(t);
      this.session.tick(t);
    }
  }
}
