// One SMP link to a board, by URL: `serial:///dev/ttyACM0?baud=115200` (the console framing of
// smp_transport.rst) or `udp://HOST[:PORT]` (one message per datagram, port 1337 by default).
// It can be closed and opened again on the same URL, which is how an upload survives a board
// that resets or a USB port that vanishes and comes back: the board's answers, not ours, then
// say where the upload stands.
import type { Connection } from '../engine/connection.js';
import type { Driver } from '../engine/driver.js';
import { describeError, HilrigError } from '../engine/errors.js';
import { Ev, type Handler } from '../engine/events.js';
import type { Manager } from '../engine/manager.js';
import { parseSerialUrl } from '../../drivers/serial/serial-url.js';
import type { SmpMessage } from '../../protocols/smp/smp-header.js';
import { type SmpEvents, SMP_UDP_PORT, SmpEv, setProtocolSmpSerial, setProtocolSmpUdp, smpRequest } from '../../protocols/smp/smp-protocol.js';
import type { SmpRequest } from '../../protocols/smp/smp-request.js';
import { linkError, usageError } from './upload-errors.js';

export interface SmpTarget {
  /** what the manager opens */
  url: string;
  transport: 'serial' | 'udp';
}

/** Requests the link lets the SMP client hold at once: the uploader keeps its own window below it. */
export const SMP_MAX_WINDOW = 64;

/** Check an SMP target URL; a usage error says what the forms are. */
export function parseSmpTarget(raw: string): SmpTarget {
  const forms = 'expected serial:///dev/ttyACM0?baud=115200 or udp://HOST[:PORT] (port 1337 by default)';
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw)?.[1]?.toLowerCase();
  if (scheme === 'serial') {
    try {
      parseSerialUrl(raw);
    } catch (e) {
      throw usageError(`--target ${raw}: ${describeError(e)}`);
    }
    return { url: raw, transport: 'serial' };
  }
  if (scheme === 'udp') {
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      throw usageError(`--target ${raw}: not a URL; ${forms}`);
    }
    if (u.hostname === '') throw usageError(`--target ${raw}: the host is missing; ${forms}`);
    return { url: `udp://${u.hostname}:${u.port || SMP_UDP_PORT}`, transport: 'udp' };
  }
  throw usageError(`--target ${raw}: SMP goes over serial or UDP; ${forms}`);
}

export interface SmpLinkOptions {
  /** transports by scheme (tests wrap one in impairDriver); default: the manager's */
  drivers?: Record<string, Driver>;
  /** console text the board prints between SMP frames (serial) */
  onText?: (text: string) => void;
  label?: string;
}

export class SmpLink {
  c!: Connection;
  /** the last thing the transport reported as wrong, for messages */
  lastError = '';
  private generation = 0;

  constructor(
    private readonly mgr: Manager,
    readonly target: SmpTarget,
    private readonly opts: SmpLinkOptions = {},
  ) {}

  /** Open the link and wait until the port (socket) is open; rejects with a link error. */
  async open(): Promise<void> {
    const gen = ++this.generation;
    const handler: Handler<SmpEvents> = (c, ev, data) => {
      if (gen !== this.generation) return;
      if (ev === Ev.Error) {
        this.lastError = data.message;
        // ICMP port unreachable while a board reboots is no reason to drop the UDP socket
        if (this.target.transport === 'udp' && data.code === 'CONNECT_REFUSED') c.isClosing = false;
      } else if (ev === SmpEv.Text) {
        this.opts.onText?.(data.text);
      }
    };
    const c = this.mgr.connect<SmpEvents>(this.target.url, handler, { label: this.opts.label ?? `smp ${this.target.url}` });
    if (this.target.transport === 'serial') setProtocolSmpSerial(c, { window: SMP_MAX_WINDOW });
    else setProtocolSmpUdp(c, { window: SMP_MAX_WINDOW });
    this.c = c;
    try {
      await c.ready;
    } catch (e) {
      throw linkError(`cannot open ${this.target.url}: ${this.lastError || describeError(e)}`, e, e instanceof HilrigError ? e.code : 'OPEN_FAILED');
    }
  }

  request(req: SmpRequest): Promise<SmpMessage> {
    return smpRequest(this.c, req);
  }

  /** Close the connection (what was in flight fails with 'closed') and wait until it is gone. */
  async close(): Promise<void> {
    if (!this.c || this.c.isClosed) return;
    this.c.close('upload: reopening the link');
    await this.c.closed;
  }

  /**
   * Close and open again until the port opens, retrying every `retryMs`, until `deadline`
   * (Date.now() ms). A USB serial port that re-enumerates is missing for a moment.
   */
  async reopen(deadline: number, retryMs = 250): Promise<void> {
    await this.close();
    for (;;) {
      try {
        await this.open();
        return;
      } catch (e) {
        if (Date.now() + retryMs > deadline) throw e;
        await new Promise((r) => setTimeout(r, retryMs));
      }
    }
  }
}
