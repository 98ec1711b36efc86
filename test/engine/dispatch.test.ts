// The rules of the dispatch model (ARCHITECTURE.md), one test each, over real UDP sockets on
// loopback: the engine's own Manager with the standard drivers.
import assert from 'node:assert/strict';
import { Connection, Ev, Manager, PROTO_EV_BASE, type EventMap, type Handler, type ProtoSlot, type RawHandler } from '../../rig/index.js';
import { waitFor, within } from '../helpers/wait.js';

// literal numbers (not PROTO_EV_BASE * 50 + 1) so TypeScript can narrow on them
const PingEv = { Pong: 5001 } as const;
interface PingEvents extends EventMap {
  [PingEv.Pong]: { text: string };
}

/** A tiny line protocol: passes generic events on when `passGeneric`, emits Pong per datagram. */
function setProtocolPing(c: Connection, passGeneric: boolean, destroyed: { n: number }): void {
  const handler: RawHandler = (conn, ev, data) => {
    if (passGeneric) conn.handler(conn, ev, data);
    if (ev === Ev.Recv) {
      const text = Buffer.from(conn.recv.view()).toString();
      conn.recv.clear();
      conn.handler(conn, PingEv.Pong, { text });
    }
  };
  const slot: ProtoSlot<{ n: number }> = {
    name: 'ping',
    handler,
    data: destroyed,
    destroy: (d) => {
      d.n++;
    },
  };
  c.proto = slot as ProtoSlot;
}

/** A UDP echo server on the engine; resolves with its URL. */
async function echoServer(mgr: Manager): Promise<string> {
  const l = mgr.listen('udp://127.0.0.1:0', (c, ev) => {
    if (ev === Ev.Recv) {
      c.send(c.recv.toBytes());
      c.recv.clear();
    }
  });
  await l.ready;
  return l.local;
}

describe('engine dispatch model', () => {
  let mgr: Manager;
  beforeEach(() => {
    mgr = new Manager({ pollMs: 20 });
  });
  afterEach(async () => {
    await mgr.shutdown();
  });

  it('client lifecycle: Open, Connect, Send, Recv, Close in that order', async () => {
    const url = await echoServer(mgr);
    const seen: string[] = [];
    const c = mgr.connect(url, (conn, ev) => {
      if (ev !== Ev.Poll) seen.push(Ev[ev]);
      if (ev === Ev.Connect) conn.send(new TextEncoder().encode('hi'));
      if (ev === Ev.Recv) conn.close();
    });
    await within(c.closed, 2000, 'close');
    assert.deepEqual(seen, ['Open', 'Connect', 'Send', 'Recv', 'Close']);
  });

  it('with a protocol set, only the protocol handler is called; the user sees what it passes on', async () => {
    const url = await echoServer(mgr);
    const userSaw: number[] = [];
    const destroyed = { n: 0 };
    const c = mgr.connect(url, (_c, ev) => userSaw.push(ev));
    setProtocolPing(c, false, destroyed);
    await c.ready;
    c.send(new TextEncoder().encode('x'));
    await waitFor(() => userSaw.includes(PingEv.Pong), 'Pong');
    // generic events were swallowed by the protocol: only its own event reached the user
    assert.deepEqual([...new Set(userSaw)], [PingEv.Pong]);
  });

  it('typed protocol events reach the user handler, narrowed, when the protocol emits them', async () => {
    const url = await echoServer(mgr);
    assert.ok(PingEv.Pong >= PROTO_EV_BASE, 'protocol events live above the engine events');
    const texts: string[] = [];
    const generic: string[] = [];
    const h: Handler<PingEvents> = (_c, ev, data) => {
      switch (ev) {
        case PingEv.Pong:
          texts.push(data.text); // `data` is { text: string } here: this line would not compile otherwise
          break;
        case Ev.Recv:
          generic.push(`Recv ${data.bytes}`);
          break;
        default:
          break;
      }
    };
    const c = mgr.connect<PingEvents>(url, h);
    setProtocolPing(c, true, { n: 0 });
    await c.ready;
    c.send(new TextEncoder().encode('hello'));
    await waitFor(() => texts.length === 1, 'Pong');
    assert.deepEqual(texts, ['hello']);
    assert.deepEqual(generic, ['Recv 5']);
  });

  for (const how of ['close', 'error', 'shutdown'] as const) {
    it(`proto.destroy runs exactly once, after Close, when the connection ends by ${how}`, async () => {
      const url = await echoServer(mgr);
      const order: string[] = [];
      const destroyed = { n: 0 };
      const c = mgr.connect(url, (conn, ev) => {
        if (ev === Ev.Close) order.push(`Close(destroyed=${destroyed.n})`);
        if (ev === Ev.Error) order.push('Error');
      });
      setProtocolPing(c, true, destroyed);
      await c.ready;
      if (how === 'close') {
        c.close();
        c.close();
      } else if (how === 'error') {
        // a handler that throws is an Error for that connection, which then closes
        c.setHandler((conn, ev) => {
          if (ev === Ev.Recv) throw new Error('boom');
          if (ev === Ev.Error) order.push('Error');
          if (ev === Ev.Close) order.push(`Close(destroyed=${destroyed.n})`);
        });
        c.send(new TextEncoder().encode('x'));
      } else {
        await mgr.shutdown();
      }
      await within(c.closed, 2000, 'close');
      await mgr.shutdown();
      assert.equal(destroyed.n, 1);
      assert.equal(order.at(-1), 'Close(destroyed=0)');
      if (how === 'error') assert.deepEqual(order, ['Error', 'Close(destroyed=0)']);
    });
  }

  it('a listener makes one child connection per peer: Open then Accept, with fresh protocol data', async () => {
    const accepted: Connection[] = [];
    const events: string[] = [];
    const l = mgr.listen('udp://127.0.0.1:0', (c, ev) => {
      if (ev === Ev.Open || ev === Ev.Accept) events.push(`${Ev[ev]}#${c.id}`);
      if (ev === Ev.Accept) accepted.push(c);
      if (ev === Ev.Recv) {
        c.send(c.recv.toBytes());
        c.recv.clear();
      }
    });
    let childData = 0;
    l.proto = {
      name: 'counter',
      handler: (c, ev, data) => c.handler(c, ev, data),
      data: undefined,
      forChild: () => ({ name: 'counter', handler: (c, ev, data) => c.handler(c, ev, data), data: ++childData }),
    };
    await l.ready;
    const a = mgr.connect(l.local, () => undefined);
    const b = mgr.connect(l.local, () => undefined);
    await Promise.all([a.ready, b.ready]);
    a.send(Uint8Array.of(1));
    b.send(Uint8Array.of(2));
    a.send(Uint8Array.of(3));
    await waitFor(() => accepted.length === 2, 'two children');
    assert.equal(l.children.size, 2);
    assert.deepEqual(new Set(accepted.map((c) => c.peer)), new Set([a.local, b.local]));
    assert.deepEqual(accepted.map((c) => c.proto?.data).sort(), [1, 2]);
    for (const c of accepted) assert.ok(events.indexOf(`Open#${c.id}`) < events.indexOf(`Accept#${c.id}`));
  });

  it('an error sets the closing flag; a handler that clears it keeps the connection', async () => {
    // the board answers any datagram with an oversize datagram, then a small one
    const l = mgr.listen('udp://127.0.0.1:0', (c, ev) => {
      if (ev === Ev.Recv) {
        c.send(new Uint8Array(500));
        c.send(new Uint8Array(50));
      }
    });
    await l.ready;
    const errors: string[] = [];
    let received = 0;
    const c = mgr.connect(
      l.local,
      (conn, ev, data) => {
        if (ev === Ev.Error) {
          errors.push(`${data.code}: ${data.message}`);
          assert.equal(conn.isClosing, true);
          conn.isClosing = false; // keep it: one oversize datagram is not fatal for us
        }
        if (ev === Ev.Recv) received += data.bytes;
      },
      { recvLimit: 100 },
    );
    await c.ready;
    c.send(Uint8Array.of(0));
    await waitFor(() => received === 50, 'the small datagram');
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /^DGRAM_TOO_LARGE: .*500 bytes.*limit of 100/);
    assert.equal(c.isClosed, false);
  });

  it('an error that nobody clears closes the connection (Error, then Close)', async () => {
    const l = mgr.listen('udp://127.0.0.1:0', (c, ev) => {
      if (ev === Ev.Recv) c.send(new Uint8Array(500));
    });
    await l.ready;
    const seen: string[] = [];
    const c = mgr.connect(l.local, (_c, ev) => seen.push(Ev[ev] ?? String(ev)), { recvLimit: 100 });
    await c.ready;
    c.send(Uint8Array.of(0));
    const reason = await within(c.closed, 2000, 'close');
    assert.match(reason, /500 bytes.*exceeds the recv limit/);
    assert.deepEqual(seen.filter((e) => e !== 'Poll' && e !== 'Send'), ['Open', 'Connect', 'Error', 'Close']);
  });

  it('a bad URL is Open, Error naming the URL, Close; and the run goes on', async () => {
    const seen: string[] = [];
    const c = mgr.connect('udp://127.0.0.1', (_c, ev, data) => {
      if (ev === Ev.Error) seen.push(`Error ${data.code} ${data.message}`);
      else if (ev !== Ev.Poll) seen.push(Ev[ev]);
    });
    await within(c.closed, 2000, 'close');
    assert.equal(seen.length, 3);
    assert.equal(seen[0], 'Open');
    assert.match(seen[1]!, /^Error BAD_URL udp:\/\/127\.0\.0\.1.*port/);
    assert.equal(seen[2], 'Close');
    await assert.rejects(c.ready, /BAD_URL|port/);
  });

  it('an unknown scheme is an error naming the scheme and the known ones', async () => {
    let msg = '';
    const c = mgr.connect('ftp://x:1', (_c, ev, data) => {
      if (ev === Ev.Error) msg = data.message;
    });
    await c.closed;
    assert.match(msg, /no transport for "ftp:".*known: .*udp/);
  });
});
