// A test's CoAP link to the board: the endpoint (requests, ping, block-wise, Observe) plus a log
// of every message that crossed, both ways, decoded, for the verdict's evidence and the report.
// Raw bytes (malformed messages for robustness tests) go around the endpoint but into the log.
import type { Clock } from '../engine/clock.js';
import type { Connection } from '../engine/connection.js';
import { Ev, type Handler } from '../engine/events.js';
import type { Manager } from '../engine/manager.js';
import { parseCoap } from '../../protocols/coap/coap-codec.js';
import { describeMessage } from '../../protocols/coap/coap-describe.js';
import type { CoapEndpoint, CoapEndpointOptions } from '../../protocols/coap/coap-endpoint.js';
import { CoapEv } from '../../protocols/coap/coap-events.js';
import type { CoapMessage } from '../../protocols/coap/coap-types.js';
import { sendCoapOverSlipmux } from '../../protocols/slipmux/slipmux-protocol.js';
import { connectCoap, type CoapLinkEvents } from '../coap/connect-coap.js';

export interface ExchangeEntry {
  /** clock ms since the link opened */
  t: number;
  dir: 'out' | 'in';
  /** undefined for bytes that are not a CoAP message */
  msg?: CoapMessage;
  bytes: Uint8Array;
  /** one line: `CON 0.01 GET MID 0x1a2b token ... (0 B)`, or why the bytes are malformed */
  text: string;
  /** 0 first transmission; n: the n-th retransmission of our CON */
  retransmission: number;
}

export class CoapClient {
  readonly log: ExchangeEntry[] = [];
  private readonly opened: number;
  private waiters: { from: number; pred: (m: CoapMessage) => boolean; resolve: (m: CoapMessage | undefined) => void }[] = [];

  private constructor(
    readonly c: Connection,
    readonly ep: CoapEndpoint,
    private readonly clock: Clock,
    /** 'slipmux': a CoAP message on the line goes in a slipmux frame */
    readonly carrier: 'udp' | 'slipmux',
  ) {
    this.opened = clock.now();
  }

  /** Open a link (coap:// or coap+serial://) and wait until it is up. */
  static async open(mgr: Manager, url: string, opts: CoapEndpointOptions & { label?: string } = {}): Promise<CoapClient> {
    let client: CoapClient | undefined;
    const handler: Handler<CoapLinkEvents> = (_c, ev, data) => {
      if (!client) return;
      if (ev === CoapEv.Sent) client.record('out', data.bytes, data.msg, data.retransmission);
      else if (ev === CoapEv.Con || ev === CoapEv.Non || ev === CoapEv.Ack || ev === CoapEv.Rst) client.record('in', undefined, data, 0);
      else if (ev === CoapEv.Malformed) client.record('in', data.bytes, undefined, 0, `malformed: ${data.rule} (byte ${data.offset})`);
      else if (ev === Ev.Close) client.settleWaiters();
    };
    const link = connectCoap(mgr, url, handler, opts);
    client = new CoapClient(link.c, link.ep, mgr.clock, link.carrier);
    await link.c.ready;
    return client;
  }

  /** Messages received so far, in order. */
  received(): CoapMessage[] {
    return this.log.filter((e) => e.dir === 'in' && e.msg).map((e) => e.msg!);
  }

  /**
   * Send bytes as they are (around the endpoint): for malformed or deliberately odd messages. On a
   * serial line they still travel in a slipmux CoAP frame, as every CoAP message there does.
   */
  sendRaw(bytes: Uint8Array): void {
    const r = parseCoap(bytes);
    this.record('out', bytes, r.kind === 'ok' ? r.value : undefined, 0, r.kind === 'malformed' ? `malformed on purpose: ${r.rule}` : undefined);
    if (this.carrier === 'slipmux') sendCoapOverSlipmux(this.c, bytes);
    else this.c.send(bytes);
  }

  /**
   * The first message received from now on that matches `pred`, or undefined after `timeoutMs`
   * of clock time (the board stayed silent).
   */
  waitFor(pred: (m: CoapMessage) => boolean, timeoutMs: number): Promise<CoapMessage | undefined> {
    return new Promise((resolve) => {
      const from = this.log.length;
      let done = false;
      const finish = (m: CoapMessage | undefined): void => {
        if (done) return;
        done = true;
        handle.cancel();
        this.waiters = this.waiters.filter((w) => w.resolve !== finish);
        resolve(m);
      };
      const handle = this.clock.schedule(timeoutMs, () => finish(undefined));
      this.waiters.push({ from, pred, resolve: finish });
      if (this.c.isClosed) finish(undefined);
    });
  }

  /** CoAP ping: true when the board answers (RST) before the endpoint gives up. */
  async alive(): Promise<boolean> {
    try {
      await this.ep.ping();
      return true;
    } catch {
      return false;
    }
  }

  close(): void {
    this.c.close('test finished');
  }

  private record(dir: 'in' | 'out', bytes: Uint8Array | undefined, msg: CoapMessage | undefined, retransmission: number, note?: string): void {
    const entry: ExchangeEntry = {
      t: this.clock.now() - this.opened,
      dir,
      msg,
      bytes: bytes ?? new Uint8Array(0),
      text: note ?? (msg ? describeMessage(msg) : `${bytes?.length ?? 0} bytes that are not CoAP`),
      retransmission,
    };
    this.log.push(entry);
    if (dir !== 'in' || !msg) return;
    for (const w of [...this.waiters]) if (w.pred(msg)) w.resolve(msg);
  }

  private settleWaiters(): void {
    for (const w of [...this.waiters]) w.resolve(undefined);
  }
}
