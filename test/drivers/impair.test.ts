import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { type Connection, type Driver, Ev, Manager, type RawHandler, VirtualClock } from '../../rig/engine/index.js';
import { impairDriver, type ImpairedDriver } from '../../drivers/impair/impair-driver.js';
import { type ImpairOptions, parseImpairOptions, resolveImpairOptions } from '../../drivers/impair/impair-options.js';
import { mulberry32 } from '../../drivers/impair/rng.js';
import { startUdpRelay, type UdpRelay } from '../../drivers/impair/udp-relay.js';
import { serialDriver } from '../../drivers/serial/serial-driver.js';
import { udpDriver } from '../../drivers/udp/udp-driver.js';
import { openPtyPair, type PtyPair } from '../helpers/pty-pair.js';
import { waitFor, within } from '../helpers/wait.js';
import { CLI } from '../helpers/cli.js';


/** Everything a test opened, closed in afterEach whatever happened. */
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  const all = cleanups.splice(0).reverse();
  for (const c of all) await c();
});

function manager(drivers: Record<string, Driver>, clock?: VirtualClock): Manager {
  const m = new Manager({ drivers, clock });
  cleanups.push(() => m.shutdown());
  return m;
}

const seqBytes = (i: number): Uint8Array => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setUint32(0, i);
  return b;
};
const seqOf = (c: Connection): number => new DataView(c.recv.view().buffer, c.recv.view().byteOffset).getUint32(0);

/** A UDP listener (plain driver) recording the sequence numbers it receives, optionally echoing them. */
async function receiver(opts: { echo?: boolean; driver?: Driver } = {}): Promise<{ url: string; seqs: number[] }> {
  const seqs: number[] = [];
  const m = manager({ udp: opts.driver ?? udpDriver });
  const l = m.listen('udp://127.0.0.1:0', (c, ev) => {
    if (ev !== Ev.Recv) return;
    seqs.push(seqOf(c));
    if (opts.echo) c.send(c.recv.toBytes());
    c.recv.clear();
  });
  await l.ready;
  return { url: l.local, seqs };
}

/**
 * Send `count` numbered datagrams through an impaired client link to a plain receiver, in batches
 * that each wait for what the layer handed on to arrive (so the kernel's socket buffer never
 * overflows and every loss is the layer's), and return what arrived, in arrival order.
 */
async function sendThrough(impair: ImpairOptions, count: number): Promise<{ seqs: number[]; drv: ImpairedDriver }> {
  const rx = await receiver();
  const drv = impairDriver(udpDriver, impair);
  const c = manager({ udp: drv }).connect(rx.url, () => undefined);
  await c.ready;
  const out = drv.stats.out;
  const BATCH = 50;
  for (let i = 0; i < count; i += BATCH) {
    for (let j = i; j < Math.min(count, i + BATCH); j++) c.send(seqBytes(j));
    await waitFor(() => rx.seqs.length >= out.sent, `the ${out.sent} datagrams handed on up to #${i + BATCH} to arrive`);
  }
  // a datagram held back for reordering with no successor goes on alone after REORDER_HOLD_MS
  await waitFor(() => out.sent - out.duplicated + out.dropped === count && rx.seqs.length === out.sent, 'every datagram to be delivered or dropped');
  return { seqs: rx.seqs, drv };
}

const missing = (seqs: number[], count: number): number[] => {
  const seen = new Set(seqs);
  return Array.from({ length: count }, (_, i) => i).filter((i) => !seen.has(i));
};

describe('link impairment', () => {
  describe('options', () => {
    it('parses the compact spelling used on the command line and in URLs', () => {
      assert.deepEqual(parseImpairOptions('loss=0.2,delay=10,jitter=2,dup=0.01,reorder=0.05,baud=115200,seed=7'), {
        loss: 0.2,
        delayMs: 10,
        jitterMs: 2,
        duplicate: 0.01,
        reorder: 0.05,
        baud: 115200,
        seed: 7,
      });
      assert.deepEqual(parseImpairOptions('loss=20%&dir=out&bits=11'), { loss: 0.2, direction: 'out', bitsPerByte: 11 });
    });

    it('names the option and its range when a value is out of range', () => {
      const cases: [ImpairOptions, RegExp][] = [
        [{ loss: 1.5 }, /"loss" must be a probability from 0 to 1, got 1.5/],
        [{ duplicate: -0.1 }, /"duplicate" must be a probability from 0 to 1/],
        [{ reorder: NaN }, /"reorder" must be a probability/],
        [{ delayMs: -1 }, /"delayMs" must be a number of milliseconds from 0/],
        [{ jitterMs: Infinity }, /"jitterMs"/],
        [{ baud: 0 }, /"baud" must be a line rate/],
        [{ bitsPerByte: 0 }, /"bitsPerByte" must be a number from 1 to 16/],
        [{ direction: 'up' as 'in' }, /"direction" must be one of both, in, out, got up/],
        [{ seed: 1.5 }, /"seed" must be an integer from 0 to 4294967295/],
      ];
      for (const [opts, message] of cases) assert.throws(() => resolveImpairOptions(opts), (e: unknown) => e instanceof TypeError && message.test(e.message));
      // a misspelt key would silently test a perfect link: refuse it and suggest the right one
      assert.throws(() => resolveImpairOptions({ delay: 10 } as ImpairOptions), /unknown impair option "delay" \(did you mean "delayMs"\?\)/);
    });

    it('names the setting as written when the compact spelling is wrong', () => {
      assert.throws(() => parseImpairOptions('loss=0.2,lag=10'), /unknown impair setting "lag"/);
      assert.throws(() => parseImpairOptions('delay=ten'), /impair setting "delay" must be a number, got "ten"/);
      assert.throws(() => parseImpairOptions('delay=-5'), /impair setting "delay=-5": impair option "delayMs"/);
      assert.throws(() => parseImpairOptions('delay=5%'), /"delay" cannot be a percentage/);
      assert.throws(() => parseImpairOptions('loss'), /"loss" has no value/);
    });

    it('refuses loss, duplicate and reorder on a stream transport, saying why', () => {
      assert.throws(
        () => impairDriver(serialDriver, { loss: 0.1, reorder: 0.01, baud: 9600 }),
        (e: unknown) => e instanceof TypeError && /"loss", "reorder"/.test(e.message) && /serial byte stream does not lose/.test(e.message),
      );
      assert.doesNotThrow(() => impairDriver(serialDriver, { delayMs: 5, jitterMs: 1, baud: 9600 }));
    });

    it('draws the same sequence from the same seed', () => {
      const a = mulberry32(7);
      const b = mulberry32(7);
      const c = mulberry32(8);
      const xs = Array.from({ length: 5 }, () => a());
      assert.deepEqual(Array.from({ length: 5 }, () => b()), xs);
      assert.notDeepEqual(Array.from({ length: 5 }, () => c()), xs);
      for (const x of xs) assert.ok(x >= 0 && x < 1);
    });
  });

  describe('datagrams over real UDP', () => {
    it('drops about 20% of 2000 datagrams at loss=0.2, and the same seed drops the same ones', async () => {
      const count = 2000;
      const first = await sendThrough({ loss: 0.2, seed: 7 }, count);
      const lost = missing(first.seqs, count);
      assert.equal(lost.length, first.drv.stats.out.dropped, 'every datagram the layer did not drop arrived');
      assert.ok(lost.length >= 0.15 * count && lost.length <= 0.25 * count, `dropped ${lost.length} of ${count}`);
      const again = await sendThrough({ loss: 0.2, seed: 7 }, count);
      assert.deepEqual(missing(again.seqs, count), lost, 'same seed, same drop pattern');
      const other = await sendThrough({ loss: 0.2, seed: 8 }, count);
      assert.notDeepEqual(missing(other.seqs, count), lost, 'another seed, another pattern');
    });

    it('duplicates about 10% of datagrams at duplicate=0.1', async () => {
      const count = 1000;
      const { seqs, drv } = await sendThrough({ duplicate: 0.1, seed: 3 }, count);
      const twice = seqs.length - new Set(seqs).size;
      assert.equal(missing(seqs, count).length, 0);
      assert.equal(twice, drv.stats.out.duplicated);
      assert.ok(twice >= 0.07 * count && twice <= 0.13 * count, `duplicated ${twice} of ${count}`);
    });

    it('holds back about 10% of datagrams at reorder=0.1, each arriving right after its successor', async () => {
      const count = 1000;
      const { seqs, drv } = await sendThrough({ reorder: 0.1, seed: 5 }, count);
      assert.equal(new Set(seqs).size, count, 'nothing lost or doubled');
      let swaps = 0;
      for (let i = 1; i < seqs.length; i++) {
        if (seqs[i]! < seqs[i - 1]!) {
          swaps++;
          assert.equal(seqs[i - 1], seqs[i]! + 1, `#${seqs[i]} arrives right after #${seqs[i - 1]}`);
        }
      }
      assert.equal(swaps, drv.stats.out.reordered);
      // a held datagram always goes out with the next one, so ~p/(1+p) of them are held
      assert.ok(swaps >= 0.06 * count && swaps <= 0.13 * count, `reordered ${swaps} of ${count}`);
    });

    it('hands a datagram to the socket at t+delayMs exactly (VirtualClock), and the receiver gets it', async () => {
      const rx = await receiver();
      const clock = new VirtualClock();
      const drv = impairDriver(udpDriver, { delayMs: 50, direction: 'out', seed: 1 });
      const sentAt: number[] = [];
      const c = manager({ udp: drv }, clock).connect(rx.url, (_c, ev) => {
        if (ev === Ev.Send) sentAt.push(clock.now());
      });
      await c.ready;
      clock.advance(10);
      c.send(seqBytes(1)); // at t = 10
      clock.advance(49);
      assert.equal(drv.stats.out.sent, 0, 'not on the wire at t = 59');
      clock.advance(1);
      assert.equal(drv.stats.out.sent, 1, 'on the wire at t = 60');
      assert.deepEqual(sentAt, [60], 'Ev.Send at t = 60');
      await waitFor(() => rx.seqs.length === 1, 'the delayed datagram to arrive');
    });

    it('delays incoming datagrams by delayMs exactly (VirtualClock), jitter within ± jitterMs, order kept', async () => {
      const clock = new VirtualClock();
      const arrived = countArrivals(udpDriver);
      const drv = impairDriver(arrived.driver, { delayMs: 20, jitterMs: 5, direction: 'in', seed: 9 });
      const recvAt: { seq: number; at: number }[] = [];
      const c = manager({ udp: drv }, clock).connect((await receiver({ echo: true })).url, (conn, ev) => {
        if (ev !== Ev.Recv) return;
        recvAt.push({ seq: seqOf(conn), at: clock.now() });
        conn.recv.clear();
      });
      await c.ready;
      for (let i = 0; i < 20; i++) c.send(seqBytes(i)); // out is not impaired: echoed at once
      await waitFor(() => arrived.count === 20, 'the 20 echoes to reach the impairment layer');
      assert.equal(recvAt.length, 0, 'nothing reaches the handler before the clock moves');
      for (let t = 0; t < 30; t++) clock.advance(1);
      assert.deepEqual(
        recvAt.map((r) => r.seq),
        Array.from({ length: 20 }, (_, i) => i),
        'order kept',
      );
      for (const r of recvAt) assert.ok(r.at >= 15 && r.at <= 25, `#${r.seq} handed on at ${r.at}, outside 20 ± 5`);
      assert.ok(new Set(recvAt.map((r) => r.at)).size > 1, 'the delay varies');
    });

    it('impairs a listener per peer: doubled requests in, lost answers out still complete their Send', async () => {
      const inDup = impairDriver(udpDriver, { duplicate: 1, direction: 'in', seed: 1 });
      const server = await receiver({ echo: true, driver: inDup });
      const got: number[] = [];
      const c = manager({ udp: udpDriver }).connect(server.url, (conn, ev) => {
        if (ev === Ev.Recv) got.push(seqOf(conn));
      });
      await c.ready;
      for (let i = 0; i < 3; i++) c.send(seqBytes(i));
      await waitFor(() => got.length === 6, 'six echoes of three doubled requests');
      assert.deepEqual(server.seqs, [0, 0, 1, 1, 2, 2]);
      assert.equal(inDup.stats.in.duplicated, 3);

      const outLoss = impairDriver(udpDriver, { loss: 1, direction: 'out', seed: 1 });
      const sends: number[] = [];
      const m = manager({ udp: outLoss });
      const l = m.listen('udp://127.0.0.1:0', (conn, ev) => {
        if (ev === Ev.Recv) {
          conn.send(conn.recv.toBytes());
          conn.recv.clear();
        } else if (ev === Ev.Send) sends.push(conn.pendingSend);
      });
      await l.ready;
      const got2: number[] = [];
      const c2 = manager({ udp: udpDriver }).connect(l.local, (conn, ev) => {
        if (ev === Ev.Recv) got2.push(seqOf(conn));
      });
      await c2.ready;
      for (let i = 0; i < 3; i++) c2.send(seqBytes(i));
      await waitFor(() => sends.length === 3, 'the server to see Send for its three lost answers');
      assert.deepEqual(sends, [0, 0, 0], 'nothing left pending');
      assert.equal(outLoss.stats.out.dropped, 3);
      assert.deepEqual(got2, [], 'no answer reached the client');
    });
  });

  describe('stream pacing over a real serial pty pair', () => {
    let pty: PtyPair;
    beforeEach(async function () {
      this.timeout(8000);
      pty = await openPtyPair();
      cleanups.push(() => pty.kill());
    });

    it('sends 11520 bytes at 115200 baud 8N1 in trickling slices, Send complete at 1000 ms of clock time', async () => {
      const clock = new VirtualClock();
      const drv = impairDriver(serialDriver, { baud: 115200, seed: 1 });
      let board = 0;
      const boardConn = manager({ serial: serialDriver }).connect(`serial://${pty.b}?baud=115200`, (c, ev) => {
        if (ev !== Ev.Recv) return;
        board += c.recv.length;
        c.recv.clear();
      });
      let sent = 0;
      let doneAt = -1;
      const rig = manager({ serial: drv }, clock).connect(`serial://${pty.a}?baud=115200`, (_c, ev, data) => {
        if (ev !== Ev.Send) return;
        sent += (data as { bytes: number }).bytes;
        if (sent === 11520) doneAt = clock.now();
      });
      await Promise.all([rig.ready, boardConn.ready]);
      rig.send(new Uint8Array(11520).fill(0x55));
      assert.equal(drv.stats.out.bytes, 0, 'nothing leaves at t = 0');

      clock.advance(500);
      // 64-byte slices, each handed on when its last byte has left: floor(5760 / 64) * 64 bytes by t = 500
      assert.equal(drv.stats.out.bytes, 5760);
      await waitFor(() => sent === 5760 && board === 5760, 'the first half to cross the pty');

      clock.advance(499.9375); // exact in binary floating point, like 1000 below
      assert.equal(drv.stats.out.bytes, 11520 - 64, 'the last slice is still on the line at t = 999.94');
      await waitFor(() => sent === 11520 - 64, 'Send for the bytes that left by t = 999.94');
      assert.equal(doneAt, -1);

      clock.advance(0.0625);
      await waitFor(() => sent === 11520 && board === 11520, 'the last slice');
      assert.equal(doneAt, 1000);
      assert.equal(drv.stats.out.sent, 180, '11520 bytes in 180 slices of 64');
    });

    it('paces incoming bytes the same way, all in by 1000 ms of clock time and in order', async () => {
      const clock = new VirtualClock();
      const arrived = countArrivals(serialDriver);
      const drv = impairDriver(arrived.driver, { baud: 115200, direction: 'in', seed: 1 });
      const got: number[] = [];
      const rig = manager({ serial: drv }, clock).connect(`serial://${pty.a}?baud=115200`, (c, ev) => {
        if (ev !== Ev.Recv) return;
        got.push(...c.recv.view());
        c.recv.clear();
      });
      const boardConn = manager({ serial: serialDriver }).connect(`serial://${pty.b}?baud=115200`, () => undefined);
      await Promise.all([rig.ready, boardConn.ready]);
      const bytes = Uint8Array.from({ length: 11520 }, (_, i) => i % 251);
      boardConn.send(bytes);
      await waitFor(() => arrived.count === 11520, 'the board\u2019s bytes to reach the rig\u2019s impairment layer');
      assert.equal(got.length, 0, 'the rig sees nothing before the clock moves');
      clock.advance(999.9375);
      assert.ok(got.length < 11520 && got.length >= 11520 - 2 * 64, `${got.length} bytes by t = 999.94`);
      clock.advance(0.0625);
      assert.deepEqual(Uint8Array.from(got), bytes);
    });
  });

  describe('UDP relay', () => {
    let server: { url: string; seqs: number[] };
    beforeEach(async () => {
      server = await receiver({ echo: true });
    });

    async function relay(impair: ImpairOptions): Promise<UdpRelay> {
      const r = await startUdpRelay({ listen: 'udp://127.0.0.1:0', to: server.url, impair });
      cleanups.push(() => r.close());
      return r;
    }

    async function client(url: string): Promise<{ c: Connection; got: number[] }> {
      const got: number[] = [];
      const handler: RawHandler = (conn, ev) => {
        if (ev === Ev.Recv) got.push(seqOf(conn));
      };
      const c = manager({ udp: udpDriver }).connect(url, handler);
      await c.ready;
      return { c, got };
    }

    it('forwards requests and responses through real sockets, one upstream per client', async () => {
      const r = await relay({});
      const a = await client(r.url);
      const b = await client(r.url);
      for (let i = 0; i < 5; i++) a.c.send(seqBytes(i));
      b.c.send(seqBytes(100));
      await waitFor(() => a.got.length === 5 && b.got.length === 1, 'every echo back through the relay');
      assert.deepEqual(a.got, [0, 1, 2, 3, 4]);
      assert.deepEqual(b.got, [100]);
      assert.equal(r.stats.peers, 2);
      assert.equal(r.stats.activePeers, 2);
      assert.equal(r.stats.toServer.sent, 6);
      assert.equal(r.stats.toClient.sent, 6);
    });

    it('forwards nothing at loss=1', async () => {
      const r = await relay({ loss: 1, seed: 1 });
      const a = await client(r.url);
      for (let i = 0; i < 10; i++) a.c.send(seqBytes(i));
      await waitFor(() => r.stats.toServer.dropped === 10, 'the relay to take in and drop all 10');
      assert.equal(r.stats.toServer.sent, 0);
      assert.deepEqual(server.seqs, []);
      assert.deepEqual(a.got, []);
    });

    it('rejects a bad target before binding anything', async () => {
      await assert.rejects(startUdpRelay({ to: 'udp://127.0.0.1' }), (e: unknown) => (e as { code?: string }).code === 'BAD_URL');
      await assert.rejects(startUdpRelay({ to: 'tcp://127.0.0.1:5683' }), /UDP only/);
    });

    it('`hilrig relay` prints ready, relays, and prints its counters and exits 0 on SIGTERM', async function () {
      this.timeout(10000);
      const child = spawn(process.execPath, [CLI, 'relay', '--to', server.url, '--loss', '0', '--seed', '3', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
      cleanups.push(async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGKILL');
          await once(child, 'exit');
        }
      });
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
      const lines = createInterface({ input: child.stdout });
      const iter = lines[Symbol.asyncIterator]();
      const first = await within(iter.next(), 5000, `the ready line (stderr: ${stderr})`);
      const m = /^ready (udp:\/\/127\.0\.0\.1:\d+)$/.exec(String(first.value));
      assert.ok(m, `first line "${String(first.value)}"`);

      const sock = dgram.createSocket('udp4');
      cleanups.push(() => new Promise<void>((r) => sock.close(() => r())));
      const reply = once(sock, 'message');
      const port = Number(new URL(m[1]!).port);
      sock.send(Buffer.from(seqBytes(42)), port, '127.0.0.1');
      const [msg] = (await within(reply, 5000, 'the echo through the relay')) as [Buffer];
      assert.equal(msg.readUInt32BE(0), 42);

      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const counters = await within(iter.next(), 5000, 'the counters');
      const [code] = (await within(exited, 5000, 'the relay to exit')) as [number | null];
      assert.equal(code, 0, stderr);
      const json = JSON.parse(String(counters.value)) as { signal: string; peers: number; seed: number; toServer: { sent: number }; toClient: { sent: number } };
      assert.equal(json.signal, 'SIGTERM');
      assert.equal(json.peers, 1);
      assert.equal(json.seed, 3);
      assert.equal(json.toServer.sent, 1);
      assert.equal(json.toClient.sent, 1);
    });
  });
});

/** Wrap a driver to count what its transports deliver (datagrams, or bytes of a stream), so a test can await their arrival at the layer above. */
function countArrivals(inner: Driver): { driver: Driver; readonly count: number } {
  let count = 0;
  const driver: Driver = {
    datagram: inner.datagram,
    connect: (url, linkSink, ctx) =>
      inner.connect(
        url,
        {
          ...linkSink,
          data: (bytes) => {
            count += inner.datagram ? 1 : bytes.length;
            linkSink.data(bytes);
          },
        },
        ctx,
      ),
  };
  return {
    driver,
    get count() {
      return count;
    },
  };
}
