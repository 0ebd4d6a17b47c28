/**
 * The host side of a session: decodes what the device sends, keeps the latest INFO and
 * PACK_STATUS, and sends commands that resolve with the device's ACK or NACK (matched by the
 * command's seq). A command with no answer within `timeout_ms` is sent again with a new seq
 * (PROTOCOL.md section 9.7), at most `retries` times, then rejected with a CommandTimeoutError.
 */
import { Decoder, type DecoderCounters } from './decoder.ts';
import { Encoder } from './encoder.ts';
import { MessageType, type Ack, type Command, type Decoded, type Info, type Nack, type PackStatus } from './messages.ts';

/** The timer functions of both browsers and Node (the isomorphic core declares no host types). */
interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}
const timers = globalThis as unknown as Timers;

export class CommandTimeoutError extends Error {
  readonly timeout = true;
  constructor(
    readonly commandType: number,
    readonly attempts: number,
  ) {
    super(`no answer to command 0x${commandType.toString(16)} after ${attempts} attempts`);
  }
}

export interface HostOptions {
  /** Called for every decoded message. */
  onMessage?: (m: Decoded) => void;
  /** Wait for an answer, ms (default 250). */
  timeout_ms?: number;
  /** Sends after the first (default 2). */
  retries?: number;
  /** Host clock for the commands' t_ms (default: ms since the session was made). */
  now_ms?: () => number;
}

interface Waiter {
  type: number;
  resolve: (a: Decoded<Ack> | Decoded<Nack>) => void;
}

export class HostSession {
  readonly decoder: Decoder;
  /** Latest INFO and PACK_STATUS seen (null until the first). */
  info: Decoded<Info> | null = null;
  status: Decoded<PackStatus> | null = null;
  private readonly enc = new Encoder();
  private readonly waiting = new Map<number, Waiter>();
  private readonly write: (bytes: Uint8Array) => unknown;
  private readonly onMessage: ((m: Decoded) => void) | undefined;
  private readonly timeout_ms: number;
  private readonly retries: number;
  private readonly now_ms: () => number;

  constructor(write: (bytes: Uint8Array) => unknown, options: HostOptions = {}) {
    if (typeof write !== 'function') throw new TypeError(`"write" must be a function: ${String(write)}`);
    const t0 = Date.now();
    const { onMessage, timeout_ms = 250, retries = 2, now_ms = () => Date.now() - t0 } = options;
    if (typeof timeout_ms !== 'number' || !(timeout_ms > 0)) throw new TypeError(`"timeout_ms" must be a positive number: ${String(timeout_ms)}`);
    if (!Number.isInteger(retries) || retries < 0) throw new TypeError(`"retries" must be an integer >= 0: ${String(retries)}`);
    this.write = write;
    this.onMessage = onMessage;
    this.timeout_ms = timeout_ms;
    this.retries = retries;
    this.now_ms = now_ms;
    this.decoder = new Decoder({ onMessage: (m) => this.handle(m) });
  }

  get counters(): DecoderCounters {
    return this.decoder.counters;
  }

  /** Link errors seen so far: rejected runs and frames missing from the sequence. */
  linkErrors(): number {
    const c = this.decoder.counters;
    return c.crcErrors + c.cobsErrors + c.shortFrames + c.badVersions + c.oversizeRuns + c.seqMissing;
  }

  /** Bytes from the device. */
  receive(bytes: Uint8Array): void {
    this.decoder.push(bytes);
  }

  /**
   * Sends a command; resolves with the device's ACK or NACK, rejects with CommandTimeoutError
   * when no answer came after the retries.
   */
  command(cmd: Command): Promise<Decoded<Ack> | Decoded<Nack>> {
    return new Promise((resolve, reject) => {
      let attempts = 0;
      let timer: unknown = null;
      let seq = -1;
      const done = (a: Decoded<Ack> | Decoded<Nack>): void => {
        if (timer !== null) timers.clearTimeout(timer);
        resolve(a);
      };
      const attempt = (): void => {
        if (seq >= 0) this.waiting.delete(seq);
        if (attempts > this.retries) {
          reject(new CommandTimeoutError(cmd.type, attempts));
          return;
        }
        attempts++;
        seq = this.enc.encode(cmd, this.now_ms() >>> 0);
        this.waiting.set(seq, { type: cmd.type, resolve: done });
        const bytes = this.enc.take();
        timer = timers.setTimeout(attempt, this.timeout_ms);
        this.write(bytes);
      };
      attempt();
    });
  }

  private handle(m: Decoded): void {
    if (m.type === MessageType.PACK_STATUS) this.status = m;
    else if (m.type === MessageType.INFO) this.info = m;
    else if (m.type === MessageType.ACK || m.type === MessageType.NACK) {
      const w = this.waiting.get(m.commandSeq);
      if (w !== undefined && w.type === m.commandType) {
        this.waiting.delete(m.commandSeq);
        w.resolve(m);
      }
    }
    this.onMessage?.(m);
  }
}
