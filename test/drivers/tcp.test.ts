// TCP on loopback through the engine: a stream transport with accepted children and EOF.
import assert from 'node:assert/strict';
import { Ev, Manager, type Connection } from '../../rig/index.js';
import { waitFor, within } from '../helpers/wait.js';

describe('TCP transport', () => {
  let mgr: Manager;
  beforeEach(() => {
    mgr = new Manager();
  });
  afterEach(async () => {
    await mgr.shutdown();
  });

  it('echoes a 1 MiB stream through an accepted child, byte-identical', async () => {
    const l = mgr.listen('tcp://127.0.0.1:0', (c, ev) => {
      if (ev === Ev.Recv) {
        c.send(c.recv.toBytes());
        c.recv.clear();
      }
    });
    await l.ready;
    const payload = new Uint8Array(1 << 20).map((_, i) => (i * 7) & 0xff);
    const got: Uint8Array[] = [];
    let n = 0;
    const c = mgr.connect(l.local, (conn, ev, data) => {
      if (ev === Ev.Recv) {
        got.push(conn.recv.toBytes());
        n += data.bytes;
        conn.recv.clear();
      }
    });
    await c.ready;
    c.send(payload);
    await waitFor(() => n === payload.length, '1 MiB echoed back', 10_000);
    assert.deepEqual(Buffer.concat(got), Buffer.from(payload));
    assert.equal(l.children.size, 1);
  });

  it("a peer's EOF closes the connection without an Error", async () => {
    let child: Connection | undefined;
    const l = mgr.listen('tcp://127.0.0.1:0', (c, ev) => {
      if (ev === Ev.Accept) child = c;
    });
    await l.ready;
    const seen: string[] = [];
    const c = mgr.connect(l.local, (_c, ev) => {
      if (ev !== Ev.Poll) seen.push(Ev[ev]);
    });
    await c.ready;
    await waitFor(() => child !== undefined, 'accept');
    child!.close();
    const reason = await within(c.closed, 2000, 'client close');
    assert.match(reason, /closed/);
    assert.deepEqual(seen, ['Open', 'Connect', 'Close']);
  });

  it('a refused connection is Error CONNECT_REFUSED naming the URL, then Close', async () => {
    // find a free port, then close it so nothing listens there
    const l = mgr.listen('tcp://127.0.0.1:0', () => undefined);
    await l.ready;
    const url = l.local;
    l.close();
    await l.closed;
    let err = '';
    const c = mgr.connect(url, (_c, ev, data) => {
      if (ev === Ev.Error) err = `${data.code} ${data.message}`;
    });
    await within(c.closed, 2000, 'close');
    assert.match(err, new RegExp(`^CONNECT_REFUSED ${url.replace(/[.]/g, '\\.')}`));
  });
});
