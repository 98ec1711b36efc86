// The trace tap sees every byte in and out with a timestamp, connection id and direction, plus
// each connection's opening and closing, which the trace writers turn into pcapng and JSONL.
import assert from 'node:assert/strict';
import { Ev, Manager, type TraceRecord } from '../../rig/index.js';
import { waitFor, within } from '../helpers/wait.js';

describe('trace tap', () => {
  it('records open, data in both directions and close, with ns timestamps in order', async () => {
    const mgr = new Manager();
    const records: TraceRecord[] = [];
    const unsubscribe = mgr.tap.subscribe((r) => records.push(r));
    const l = mgr.listen('udp://127.0.0.1:0', (c, ev) => {
      if (ev === Ev.Recv) c.send(Uint8Array.of(9, 8, 7));
    });
    await l.ready;
    let answered = false;
    const c = mgr.connect(l.local, (_c, ev) => ev === Ev.Recv && (answered = true), { label: 'board-a coap' });
    await c.ready;
    c.send(Uint8Array.of(1, 2));
    await waitFor(() => answered, 'answer');
    c.close();
    await within(c.closed, 2000, 'close');
    unsubscribe();
    await mgr.shutdown();

    const mine = records.filter((r) => (r.kind === 'open' ? r.conn.connId : r.connId) === c.id);
    assert.deepEqual(
      mine.map((r) => (r.kind === 'data' ? `${r.dir}:${[...r.bytes].join(',')}` : r.kind)),
      ['open', 'out:1,2', 'in:9,8,7', 'close'],
    );
    const open = mine[0]!;
    assert.ok(open.kind === 'open' && open.conn.label === 'board-a coap' && open.conn.datagram && open.conn.peer === l.local);
    const ts = mine.map((r) => r.tsNs);
    for (let i = 1; i < ts.length; i++) assert.ok(ts[i]! >= ts[i - 1]!, 'timestamps never go back');
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    assert.ok(nowNs - ts[0]! < 60_000_000_000n && ts[0]! <= nowNs + 1_000_000_000n, 'wall-clock nanoseconds');
    // the listener's child (the board side) is traced too, with the opposite directions
    const child = records.find((r) => r.kind === 'open' && r.conn.connId !== c.id && r.conn.connId !== l.id);
    assert.ok(child && child.kind === 'open');
    const childData = records.filter((r) => r.kind === 'data' && r.connId === child.conn.connId).map((r) => (r.kind === 'data' ? r.dir : ''));
    assert.deepEqual(childData, ['in', 'out']);
  });

  it('publishes nothing once unsubscribed', async () => {
    const mgr = new Manager();
    let n = 0;
    const unsubscribe = mgr.tap.subscribe(() => n++);
    unsubscribe();
    assert.equal(mgr.tap.active, false);
    const l = mgr.listen('udp://127.0.0.1:0', () => undefined);
    await l.ready;
    await mgr.shutdown();
    assert.equal(n, 0);
  });
});
