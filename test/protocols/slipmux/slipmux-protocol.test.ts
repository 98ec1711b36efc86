// The slipmux protocol handler inside the engine, over an in-memory stream transport whose
// reads the test cuts at will, and a virtual clock for the idle flush: events and their order,
// generic events passed on, counters, Close with a frame cut off, destroy once, send helpers.
import assert from 'node:assert/strict';
import { type Connection, type Driver, Ev, type Handler, type LinkSink, Manager, PROTO_EV_BASE, VirtualClock } from '../../../rig/index.js';
import { decodeSlipmuxStream, encodeCoapFrame, encodeDiagnosticFrame, encodeIpFrame } from '../../../protocols/slipmux/slipmux-codec.js';
import {
  sendCoapOverSlipmux,
  sendDiagnostic,
  sendIpOverSlipmux,
  setProtocolSlipmux,
  SLIPMUX_EV_BASE,
  SlipmuxEv,
  type SlipmuxEvents,
  slipmuxStats,
} from '../../../protocols/slipmux/slipmux-protocol.js';
import { waitFor, within } from '../../helpers/wait.js';
import { coapGet, cutsOf, ipv4Packet, normalize } from './slipmux-fixtures.js';

/** A stream transport in memory: the test pushes the board's bytes in whatever reads it likes. */
function memoryLink(): { driver: Driver; feed(bytes: Uint8Array): void; hangUp(): void; written: Uint8Array[] } {
  let sink: LinkSink | undefined;
  const written: Uint8Array[] = [];
  const driver: Driver = {
    datagram: false,
    connect(_url, s) {
      sink = s;
      // opened after connect() returned, as a real port opens
      queueMicrotask(() => s.opened({ peer: 'mem' }));
      return {
        write: (bytes) => {
          written.push(bytes.slice());
          queueMicrotask(() => s.sent(bytes.length));
        },
        close: () => undefined,
      };
    },
  };
  return { driver, feed: (b) => sink?.data(b), hangUp: () => sink?.ended('peer closed'), written };
}

type Seen = { ev: number; data: unknown };
const te = new TextEncoder();
const cat = (...parts: (Uint8Array | string)[]): Uint8Array => Buffer.concat(parts.map((p) => (typeof p === 'string' ? te.encode(p) : p)));

/** The same line the pty test sends, plus an IP packet and an unknown type. */
function mixedLine(): Uint8Array {
  const badFcs = encodeCoapFrame(coapGet);
  badFcs[badFcs.length - 2]! ^= 0x01;
  return cat('boot: hilrig test\r\n', encodeDiagnosticFrame('diag °C\n'), encodeCoapFrame(coapGet), 'printf\n', badFcs, encodeIpFrame(ipv4Packet(28, 0xc0)), Uint8Array.of(0xc0, 0x00, 1, 0xc0), '> ');
}

/** Slipmux events as the codec's entries, to compare with what the codec finds in the whole line. */
function asEntries(seen: Seen[]): Parameters<typeof normalize>[0] {
  return seen.flatMap((s): Parameters<typeof normalize>[0] => {
    const d = s.data as Record<string, unknown>;
    switch (s.ev) {
      case SlipmuxEv.Text:
        return [{ kind: 'text', text: d.text as string, bytes: d.bytes as Uint8Array }];
      case SlipmuxEv.Diagnostic:
        return [{ kind: 'diagnostic', text: d.text as string, bytes: d.bytes as Uint8Array }];
      case SlipmuxEv.Coap:
        return [{ kind: 'coap', message: d.message as Uint8Array }];
      case SlipmuxEv.Ip:
        return [{ kind: 'ip', version: d.version as 4 | 6, packet: d.packet as Uint8Array }];
      case SlipmuxEv.Dropped:
        if (d.reason === 'bad-fcs') return [{ kind: 'bad-fcs', frame: d.frame as Uint8Array }];
        if (d.reason === 'unknown-type') return [{ kind: 'unknown-type', type: d.type as number, frame: d.frame as Uint8Array }];
        return [];
      default:
        return [];
    }
  });
}

describe('slipmux protocol handler', () => {
  let mgr: Manager;
  let clock: VirtualClock;
  let link: ReturnType<typeof memoryLink>;
  let seen: Seen[];
  let c: Connection;

  beforeEach(async () => {
    clock = new VirtualClock();
    link = memoryLink();
    mgr = new Manager({ clock, pollMs: 10, drivers: { mem: link.driver } });
    seen = [];
    c = mgr.connect('mem://board', (_c, ev, data) => void seen.push({ ev, data }));
    setProtocolSlipmux(c);
    await within(c.ready, 2000, 'the memory link');
  });
  afterEach(async () => {
    await mgr.shutdown();
  });

  const slipmuxOnly = (): Seen[] => seen.filter((s) => s.ev > PROTO_EV_BASE);

  it('numbers its events from PROTO_EV_BASE * 2', () => {
    assert.equal(SLIPMUX_EV_BASE, PROTO_EV_BASE * 2);
    assert.deepEqual(Object.values(SlipmuxEv), [1, 2, 3, 4, 5].map((i) => SLIPMUX_EV_BASE + i));
  });

  it('narrows each event payload for a Handler<SlipmuxEvents>', () => {
    // compile-time: each branch uses fields only its payload has
    const h: Handler<SlipmuxEvents> = (_c, ev, data) => {
      if (ev === SlipmuxEv.Coap) void data.message.length;
      else if (ev === SlipmuxEv.Ip) void (data.version === 4);
      else if (ev === SlipmuxEv.Dropped) void data.reason.length;
      else if (ev === SlipmuxEv.Text) void data.bytes.length;
      else if (ev === Ev.Recv) void data.bytes;
    };
    assert.equal(typeof h, 'function');
  });

  it('passes generic events on, then emits what it parsed, consuming it', () => {
    link.feed(mixedLine());
    assert.deepEqual(seen.slice(0, 3).map((s) => s.ev), [Ev.Open, Ev.Connect, Ev.Recv]);
    assert.equal(c.recv.length, 0, 'everything parsed was consumed');
    assert.deepEqual(
      slipmuxOnly().map((s) => s.ev),
      [SlipmuxEv.Text, SlipmuxEv.Diagnostic, SlipmuxEv.Coap, SlipmuxEv.Text, SlipmuxEv.Dropped, SlipmuxEv.Ip, SlipmuxEv.Dropped, SlipmuxEv.Text],
    );
  });

  it('emits the same items however the port cuts the reads', () => {
    const line = mixedLine();
    const want = normalize(decodeSlipmuxStream(line, { idle: true }).entries);
    const cuttings = [Array.from({ length: line.length }, (_, i) => i), cutsOf(line.length, [3, 17, 18, 40, 41, 77]), [], cutsOf(line.length, [1, 2, 5, 8, 13, 21, 34, 55])];
    for (const cuts of cuttings) {
      seen = [];
      let from = 0;
      for (const cut of [...cuts, line.length]) {
        if (cut > from) link.feed(line.subarray(from, cut));
        from = Math.max(from, cut);
      }
      clock.advance(100); // the idle flush shows the trailing prompt
      assert.deepEqual(normalize(asEntries(seen)), want, `cut at ${cuts.join(',')}`);
    }
  });

  it('counts frames, drops and console bytes', () => {
    link.feed(mixedLine());
    clock.advance(100);
    assert.deepEqual(slipmuxStats(c), {
      frames: 3,
      badFcs: 1,
      unknownType: 1,
      oversize: 0,
      aborted: 0,
      malformed: 0,
      truncated: 0,
      textBytes: 'boot: hilrig test\r\n'.length + 'printf\n'.length + 2,
      discardedBytes: 0,
      sent: 0,
    });
  });

  it('emits text eagerly, and flushes held-back bytes once the line is idle', () => {
    link.feed(cat('no newline yet'));
    assert.deepEqual(slipmuxOnly().map((s) => (s.data as { text: string }).text), ['no newline yet']);
    seen = [];
    // after a frame, "ok" could still be the start of an IPv6 frame ('o' is 0x6F): held until idle
    link.feed(cat(encodeDiagnosticFrame('x'), 'ok'));
    assert.deepEqual(slipmuxOnly().map((s) => s.ev), [SlipmuxEv.Diagnostic]);
    clock.advance(30);
    assert.equal(slipmuxOnly().length, 1, 'not idle long enough yet');
    clock.advance(40);
    assert.deepEqual(slipmuxOnly().map((s) => (s.data as { text?: string }).text), ['x', 'ok']);
  });

  it('reports an oversize frame once and resynchronises at its END', async () => {
    await mgr.shutdown();
    link = memoryLink();
    mgr = new Manager({ clock, pollMs: 10, drivers: { mem: link.driver } });
    seen = [];
    c = mgr.connect('mem://board', (_c, ev, data) => void seen.push({ ev, data }));
    setProtocolSlipmux(c, { maxFrame: 16 });
    await c.ready;
    const big = encodeCoapFrame(new Uint8Array(40).fill(0x33));
    link.feed(big.subarray(0, 25));
    link.feed(big.subarray(25));
    link.feed(encodeCoapFrame(coapGet));
    const evs = slipmuxOnly();
    assert.deepEqual(evs.map((s) => s.ev), [SlipmuxEv.Dropped, SlipmuxEv.Coap]);
    assert.equal((evs[0]!.data as { reason: string }).reason, 'oversize');
    const st = slipmuxStats(c)!;
    assert.deepEqual([st.oversize, st.frames, st.discardedBytes], [1, 1, big.length - 2 - 16]);
  });

  it('on Close, emits the last text and reports a frame cut off, before the user sees Close; destroy runs once', async () => {
    const proto = c.proto!;
    const destroy = proto.destroy!;
    let destroyed = 0;
    proto.destroy = (d) => {
      destroyed++;
      destroy(d);
    };
    link.feed(cat(encodeDiagnosticFrame('x'), 'ok'));
    link.feed(Uint8Array.of(0xc0, 0xa9, 0x40));
    link.hangUp();
    await within(c.closed, 2000, 'close');
    const tail = seen.slice(-3).map((s) => (s.ev === Ev.Close ? 'Close' : [s.ev, (s.data as { text?: string }).text ?? (s.data as { reason?: string }).reason]));
    assert.deepEqual(tail, [[SlipmuxEv.Text, 'ok'], [SlipmuxEv.Dropped, 'truncated'], 'Close']);
    assert.equal(slipmuxStats(c)?.truncated, 1);
    await mgr.shutdown();
    assert.equal(destroyed, 1);
  });

  it('sends frames with the helpers and counts them', async () => {
    assert.ok(sendCoapOverSlipmux(c, coapGet));
    assert.ok(sendDiagnostic(c, 'hi'));
    assert.ok(sendIpOverSlipmux(c, ipv4Packet(20, 0)));
    await waitFor(() => link.written.length === 3, 'three writes');
    assert.deepEqual(link.written, [encodeCoapFrame(coapGet), encodeDiagnosticFrame('hi'), encodeIpFrame(ipv4Packet(20, 0))]);
    assert.equal(slipmuxStats(c)?.sent, 3);
    assert.throws(() => sendIpOverSlipmux(c, Uint8Array.of(0x0a)), TypeError);
  });

  it('refuses bad options with a TypeError naming the option', () => {
    assert.throws(() => setProtocolSlipmux(c, { maxFrame: 2 }), /maxFrame/);
    assert.throws(() => setProtocolSlipmux(c, { maxFrame: 1.5 }), TypeError);
    assert.throws(() => setProtocolSlipmux(c, { idleFlushMs: -1 }), /idleFlushMs/);
  });
});
