// The console-lines protocol handler on the engine, with an in-memory stream driver and a
// VirtualClock: the idle flush of a prompt is checked by moving time, not by sleeping.
import assert from 'node:assert/strict';
import { type Driver, Ev, type Handler, type LinkSink, Manager, PROTO_EV_BASE, VirtualClock } from '../../rig/engine/index.js';
import { LINE_EV_BASE, LineEv, type LineEvents, setProtocolLines } from '../../protocols/console/console-protocol.js';

/** A stream transport whose far end is the test: `sinks[url]` pushes bytes in. */
function memoryDriver(sinks: Map<string, LinkSink>): Driver {
  return {
    datagram: false,
    connect(url, sink) {
      sinks.set(url.href, sink);
      queueMicrotask(() => sink.opened({ peer: url.href }));
      return { write: (b) => queueMicrotask(() => sink.sent(b.length)), close: () => undefined };
    },
  };
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('console lines protocol', () => {
  let clock: VirtualClock;
  let mgr: Manager;
  let sinks: Map<string, LinkSink>;
  let events: string[];

  beforeEach(() => {
    clock = new VirtualClock(1000);
    sinks = new Map();
    mgr = new Manager({ drivers: { mem: memoryDriver(sinks) }, clock, pollMs: 100 });
    events = [];
  });
  afterEach(async () => {
    await mgr.shutdown();
  });

  async function open(opts: Parameters<typeof setProtocolLines>[1] = {}): Promise<LinkSink> {
    const h: Handler<LineEvents> = (_c, ev, data) => {
      if (ev === LineEv.Line) events.push(`line ${JSON.stringify(data.line.text)} @${data.tsNs}`);
      else events.push(Ev[ev]);
    };
    const c = mgr.connect('mem://board', h);
    setProtocolLines(c, { clock, ...opts });
    await c.ready;
    return sinks.get('mem://board')!;
  }

  it('numbers its event from PROTO_EV_BASE * 9', () => {
    assert.equal(LineEv.Line, PROTO_EV_BASE * 9);
    assert.equal(LINE_EV_BASE, LineEv.Line);
  });

  it('passes generic events on, then emits one Line per line, stamped with the arrival time', async () => {
    const sink = await open();
    sink.data(enc('boot\r\nhel'));
    clock.advance(5);
    sink.data(enc('lo\n'));
    assert.deepEqual(events, ['Open', 'Connect', 'Recv', 'line "boot" @1000000000', 'Recv', 'line "hello" @1005000000']);
  });

  it('flushes a prompt without a newline after 100 ms of clock time, not before', async () => {
    const sink = await open();
    sink.data(enc('uart:~$ '));
    clock.advance(99);
    assert.ok(!events.some((e) => e.startsWith('line')), `flushed too early: ${events.join(', ')}`);
    clock.advance(1);
    assert.ok(events.includes('line "uart:~$ " @1000000000'), events.join(', '));
    // the protocol's own idle timer is not shown to the user handler
    assert.ok(!events.includes('Timer'));
  });

  it('restarts the idle gap when more bytes of the same line arrive', async () => {
    const sink = await open();
    sink.data(enc('typing'));
    clock.advance(80);
    sink.data(enc(' more'));
    clock.advance(80);
    assert.ok(!events.some((e) => e.startsWith('line')), events.join(', '));
    clock.advance(20);
    assert.ok(events.includes('line "typing more" @1080000000'), events.join(', '));
  });

  it('emits the partial last line before Close when the link goes away', async () => {
    const sink = await open({ idleFlushMs: 0 });
    sink.data(enc('panic: last wor'));
    sink.ended('peer closed');
    assert.deepEqual(events.slice(-2), ['line "panic: last wor" @1000000000', 'Close']);
  });

  it('consumes what it parsed, leaving only the partial line in c.recv', async () => {
    let held = -1;
    const h: Handler<LineEvents> = (c, ev, _data) => {
      if (ev === LineEv.Line) held = c.recv.length;
    };
    const c = mgr.connect('mem://board', h);
    setProtocolLines(c, { clock });
    await c.ready;
    sinks.get('mem://board')!.data(enc('a\nbc'));
    assert.equal(held, 2, 'the line is consumed before its event, so the handler sees only what is left');
    assert.equal(c.recv.length, 2);
  });
});
