import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SerialPort } from 'serialport';
import { type LineControl, type LinkSink, type Transport, Connection, Ev, HilrigError, Manager, RealClock, VirtualClock } from '../../rig/index.js';
import { clockSleep, resetSequenceNames, runResetSequence } from '../../drivers/serial/reset-sequences.js';
import { serialDriver } from '../../drivers/serial/serial-driver.js';
import { parseSerialUrl } from '../../drivers/serial/serial-url.js';
import { openPtyPair, type PtyPair } from '../helpers/pty-pair.js';
import { within } from '../helpers/wait.js';

/** A fixed wait, only for asserting that something does NOT happen (an absence cannot be awaited). */
const quietPeriod = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Fails the test on any exception or rejection that escapes to the process. */
function watchEscapes(): { check(): void; stop(): void } {
  const escaped: unknown[] = [];
  const onEscape = (e: unknown): void => void escaped.push(e);
  process.on('uncaughtException', onEscape);
  process.on('unhandledRejection', onEscape);
  return {
    check: () => assert.deepEqual(escaped, [], 'an exception or rejection escaped to the process'),
    stop: () => {
      process.off('uncaughtException', onEscape);
      process.off('unhandledRejection', onEscape);
    },
  };
}

/** Test bytes: deterministic, and with a period (251) that no chunk size divides. */
function pattern(n: number, seed = 0): Buffer {
  const b = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) b[i] = (i * 7 + seed) % 251;
  return b;
}

const serialUrl = (path: string, query = 'baud=115200'): string => `serial://${path}?${query}`;

function expectBadUrl(url: string, ...mentions: string[]): void {
  assert.throws(
    () => parseSerialUrl(url),
    (e: unknown) => {
      assert.ok(e instanceof HilrigError, `expected HilrigError, got ${String(e)}`);
      assert.equal(e.code, 'BAD_URL');
      for (const m of mentions) assert.ok(e.message.includes(m), `"${e.message}" should mention "${m}"`);
      return true;
    },
  );
}

describe('serial URL', () => {
  it('defaults to 115200 8N1 without flow control', () => {
    assert.deepEqual(parseSerialUrl('serial:///dev/ttyACM0'), {
      path: '/dev/ttyACM0',
      baudRate: 115200,
      dataBits: 8,
      parity: 'none',
      stopBits: 1,
      flow: 'none',
    });
  });

  it('reads the long form', () => {
    const s = parseSerialUrl('serial:///dev/ttyUSB1?baud=57600&dataBits=7&parity=even&stopBits=2&flow=rtscts');
    assert.deepEqual(s, { path: '/dev/ttyUSB1', baudRate: 57600, dataBits: 7, parity: 'even', stopBits: 2, flow: 'rtscts' });
  });

  it('reads the short form and the compact mode', () => {
    assert.equal(parseSerialUrl('serial:///dev/ttyUSB0?baud=921600').baudRate, 921600);
    const m = parseSerialUrl('serial:///dev/ttyUSB0?mode=7O1.5&flow=xonxoff');
    assert.deepEqual([m.dataBits, m.parity, m.stopBits, m.flow], [7, 'odd', 1.5, 'xonxoff']);
    assert.deepEqual(
      ['8N1', '8e2', '5M1', '6S2'].map((mode) => {
        const s = parseSerialUrl(`serial:///dev/x?mode=${mode}`);
        return `${s.dataBits}${s.parity}${s.stopBits}`;
      }),
      ['8none1', '8even2', '5mark1', '6space2'],
    );
  });

  it('keeps by-id paths and takes Windows COM ports', () => {
    const byId = '/dev/serial/by-id/usb-Arduino__www.arduino.cc__0043_85736323838351F0E1B1-if00';
    assert.equal(parseSerialUrl(`serial://${byId}`).path, byId);
    assert.equal(parseSerialUrl('serial://COM3?baud=9600').path, 'COM3');
  });

  it('names an unknown option and the options it takes', () => {
    expectBadUrl('serial:///dev/ttyACM0?baudrate=9600', 'baudrate', 'baud, dataBits, parity, stopBits, flow, mode');
  });

  it('names the key and the allowed values of a bad value', () => {
    expectBadUrl('serial:///dev/ttyACM0?parity=weird', 'parity=weird', 'none, even, odd, mark, space');
    expectBadUrl('serial:///dev/ttyACM0?stopBits=3', 'stopBits', '1, 1.5, 2');
    expectBadUrl('serial:///dev/ttyACM0?dataBits=9', 'dataBits', '5, 6, 7, 8');
    expectBadUrl('serial:///dev/ttyACM0?flow=hw', 'flow', 'none, rtscts, xonxoff');
    expectBadUrl('serial:///dev/ttyACM0?baud=fast', 'baud=fast', 'whole number');
    expectBadUrl('serial:///dev/ttyACM0?baud=0', 'baud');
    expectBadUrl('serial:///dev/ttyACM0?baud=1152000000', 'baud');
    expectBadUrl('serial:///dev/ttyACM0?mode=8X1', 'mode=8X1', '8N1');
  });

  it('refuses a key given twice, and mode together with the keys it sets', () => {
    expectBadUrl('serial:///dev/ttyACM0?baud=9600&baud=115200', 'baud', 'twice');
    expectBadUrl('serial:///dev/ttyACM0?mode=8N1&parity=even', 'mode', 'parity');
  });

  it('explains a missing path and the two-slash typo', () => {
    expectBadUrl('serial://dev/ttyACM0', 'three slashes', 'serial:///dev/ttyACM0');
    expectBadUrl('serial://', 'no absolute port path');
    expectBadUrl('udp://127.0.0.1:5683', 'not a serial URL');
  });
});

describe('reset sequences', () => {
  interface Edge {
    t: number;
    dtr: boolean;
    rts: boolean;
  }

  /** Plays a sequence on a recorder; time is the sum of the waits, no real sleeping. */
  async function play(name: string): Promise<{ edges: Edge[]; end: number }> {
    // after open, a tty has DTR and RTS asserted
    const state = { dtr: true, rts: true };
    let t = 0;
    const edges: Edge[] = [{ t, ...state }];
    const line: LineControl = {
      set: async (s) => {
        if (s.dtr !== undefined) state.dtr = s.dtr;
        if (s.rts !== undefined) state.rts = s.rts;
        edges.push({ t, ...state });
      },
      get: async () => ({ cts: false, dsr: false, dcd: false }),
      sendBreak: async () => undefined,
    };
    await runResetSequence(line, name, async (ms) => void (t += ms));
    return { edges, end: t };
  }

  // The ESP dev-board auto-reset circuit: two cross-coupled transistors.
  const en = (e: Edge): boolean => !(e.rts && !e.dtr);
  const io0 = (e: Edge): boolean => !(e.dtr && !e.rts);

  /**
   * Times where EN rises, with IO0 then and how long EN had been low. Edges at the same instant
   * are one settled state: EN has an RC delay, so a zero-length glitch between two back-to-back
   * set() calls (esptool's sequential DTR then RTS) never reaches the chip.
   */
  function enRises(edges: Edge[]): { t: number; io0: boolean; lowFor: number }[] {
    const settled = edges.filter((e, i) => edges[i + 1]?.t !== e.t);
    const out: { t: number; io0: boolean; lowFor: number }[] = [];
    let fellAt = -1;
    for (let i = 1; i < settled.length; i++) {
      const prev = settled[i - 1] as Edge;
      const cur = settled[i] as Edge;
      if (en(prev) && !en(cur)) fellAt = cur.t;
      if (!en(prev) && en(cur)) out.push({ t: cur.t, io0: io0(cur), lowFor: cur.t - fellAt });
    }
    return out;
  }

  it('esptool holds EN low 100 ms and releases it with IO0 low (ROM bootloader), then frees IO0', async () => {
    const { edges } = await play('esptool');
    const rises = enRises(edges);
    assert.equal(rises.length, 1);
    const rise = rises[0] as { t: number; io0: boolean; lowFor: number };
    assert.equal(rise.io0, false, 'IO0 must be low when EN rises, or the chip boots the app');
    assert.ok(rise.lowFor >= 100, `EN low for ${rise.lowFor} ms`);
    const last = edges.at(-1) as Edge;
    assert.ok(en(last) && io0(last), 'ends with EN and IO0 high');
    const io0High = edges.find((e) => e.t > rise.t && io0(e));
    assert.ok(io0High && io0High.t - rise.t >= 50, 'IO0 stays low at least 50 ms after reset');
  });

  it('esptool-run resets into the application (IO0 high when EN rises)', async () => {
    const rises = enRises((await play('esptool-run')).edges);
    assert.equal(rises.length, 1);
    assert.equal(rises[0]?.io0, true);
    assert.ok((rises[0]?.lowFor ?? 0) >= 100);
  });

  it('arduino releases DTR 250 ms, asserts it (the reset edge), then waits 50 ms', async () => {
    const { edges, end } = await play('arduino');
    const released = edges.findIndex((e) => !e.dtr);
    const asserted = edges.findIndex((e, i) => i > released && e.dtr);
    assert.ok(released > 0 && asserted > released, 'DTR goes released then asserted');
    const tRel = (edges[released] as Edge).t;
    const tAss = (edges[asserted] as Edge).t;
    assert.ok(tAss - tRel >= 250, 'the reset capacitor had time to discharge');
    assert.ok(end - tAss >= 50, 'waits for the bootloader after the edge');
  });

  it('rts-pulse and dtr-pulse give an asserting edge even right after open, hold 100 ms, release', async () => {
    for (const [name, key] of [['rts-pulse', 'rts'], ['dtr-pulse', 'dtr']] as const) {
      const { edges, end } = await play(name);
      const on = edges.findIndex((e, i) => i > 0 && e[key] && !(edges[i - 1] as Edge)[key]);
      assert.ok(on > 0, `${name} has a released -> asserted edge on ${key}`);
      const off = edges.findIndex((e, i) => i > on && !e[key]);
      assert.ok(off > on, `${name} releases ${key}`);
      assert.ok((edges[off] as Edge).t - (edges[on] as Edge).t >= 100, `${name} holds ${key} 100 ms`);
      assert.equal((edges.at(-1) as Edge)[key], false);
      assert.equal(end, (edges.at(-1) as Edge).t);
    }
  });

  it('the esptool sequences leave an ESP running (EN and IO0 high), not held in reset', async () => {
    for (const name of ['esptool', 'esptool-run', 'esptool-usb-jtag']) {
      const last = (await play(name)).edges.at(-1) as Edge;
      assert.ok(en(last) && io0(last), `${name} leaves EN and IO0 high`);
    }
  });

  it('rejects an unknown name with a TypeError listing the known ones', async () => {
    const line: LineControl = { set: async () => undefined, get: async () => ({ cts: false, dsr: false, dcd: false }), sendBreak: async () => undefined };
    await assert.rejects(runResetSequence(line, 'esptol', async () => undefined), (e: unknown) => {
      assert.ok(e instanceof TypeError);
      assert.match(e.message, /esptol/);
      for (const n of resetSequenceNames) assert.ok(e.message.includes(n), `lists ${n}`);
      return true;
    });
  });

  it('waits on the manager clock: a virtual clock finishes the sequence only when advanced', async () => {
    const clock = new VirtualClock();
    const sets: number[] = [];
    const line: LineControl = {
      set: async () => void sets.push(clock.now()),
      get: async () => ({ cts: false, dsr: false, dcd: false }),
      sendBreak: async () => undefined,
    };
    let done = false;
    const run = runResetSequence(line, 'esptool-run', clockSleep(clock)).then(() => (done = true));
    await new Promise((r) => setImmediate(r));
    clock.advance(99);
    await new Promise((r) => setImmediate(r));
    assert.equal(done, false, 'still holding EN low at 99 ms');
    clock.advance(1);
    await within(run, 1000, 'the sequence to finish');
    assert.deepEqual(sets, [0, 100]);
  });
});

describe('serial driver over socat ptys', function () {
  this.timeout(20000);
  let pair: PtyPair | undefined;
  let mgr: Manager | undefined;
  const rawPorts: SerialPort[] = [];

  afterEach(async () => {
    await mgr?.shutdown();
    mgr = undefined;
    for (const p of rawPorts.splice(0)) if (p.isOpen) await new Promise<void>((r) => p.close(() => r()));
    await pair?.kill();
    pair = undefined;
  });

  /** Collects what arrives on a connection and resolves once `want` bytes came. */
  function receiver(want: number): { handler: (c: Connection, ev: number, data: unknown) => void; done: Promise<Buffer>; events: number[] } {
    const chunks: Buffer[] = [];
    const events: number[] = [];
    let got = 0;
    let settle!: (b: Buffer) => void;
    let fail!: (e: unknown) => void;
    const done = new Promise<Buffer>((res, rej) => ((settle = res), (fail = rej)));
    const handler = (c: Connection, ev: number, data: unknown): void => {
      if (ev !== Ev.Poll) events.push(ev);
      if (ev === Ev.Recv) {
        chunks.push(Buffer.from(c.recv.view()));
        got += c.recv.length;
        c.recv.consume(c.recv.length);
        if (got >= want) settle(Buffer.concat(chunks));
      }
      if (ev === Ev.Error) fail(data);
    };
    return { handler, done, events };
  }

  for (const baud of [115200, 921600]) {
    it(`moves 64 KiB each way, byte-identical, at ${baud} baud`, async () => {
      pair = await openPtyPair();
      mgr = new Manager();
      const n = 64 * 1024;
      const ab = pattern(n, 1);
      const ba = pattern(n, 2);
      const atB = receiver(n);
      const atA = receiver(n);
      const a = mgr.connect(serialUrl(pair.a, `baud=${baud}`), atA.handler);
      const b = mgr.connect(serialUrl(pair.b, `baud=${baud}`), atB.handler);
      await within(Promise.all([a.ready, b.ready]), 5000, 'both ports to open');
      assert.equal(a.peer, pair.a);
      a.send(ab);
      b.send(ba);
      const [gotAtB, gotAtA] = await within(Promise.all([atB.done, atA.done]), 10000, '64 KiB each way');
      assert.ok(gotAtB.equals(ab), 'A -> B bytes differ');
      assert.ok(gotAtA.equals(ba), 'B -> A bytes differ');
      assert.equal(a.pendingSend, 0, 'every byte reported sent');
      assert.deepEqual([atA.events[0], atA.events[1]], [Ev.Open, Ev.Connect]);
      assert.ok(atA.events.includes(Ev.Send));
    });
  }

  it('reports the other end closing mid-transfer as PORT_VANISHED, then Close, destroy once, no escape', async () => {
    pair = await openPtyPair();
    mgr = new Manager();
    const escapes = watchEscapes();
    try {
      const p = pair;
      let killed: Promise<void> | undefined;
      const record = (c: Connection, onRecv?: (received: number) => void) => {
        const log = { events: [] as number[], errors: [] as HilrigError[], destroyed: 0, received: 0 };
        c.proto = {
          name: 'recorder',
          data: log,
          handler: (conn, ev, data) => {
            if (ev !== Ev.Poll) log.events.push(ev);
            if (ev === Ev.Error) log.errors.push(data as HilrigError);
            if (ev === Ev.Recv) {
              log.received += conn.recv.length;
              conn.recv.consume(conn.recv.length);
              onRecv?.(log.received);
            }
          },
          destroy: (d) => void (d as typeof log).destroyed++,
        };
        return log;
      };
      const a = mgr.connect(serialUrl(p.a), () => undefined);
      const b = mgr.connect(serialUrl(p.b), () => undefined);
      const logA = record(a);
      // unplug once B has seen a good part of a transfer that is still flowing
      const logB = record(b, (received) => {
        if (!killed && received >= 256 * 1024) killed = p.kill();
      });
      await within(Promise.all([a.ready, b.ready]), 5000, 'both ports to open');
      const total = 32 * 1024 * 1024;
      for (let off = 0; off < total; off += 1 << 20) a.send(pattern(1 << 20, off));
      await within(Promise.all([a.closed, b.closed]), 10000, 'both connections to close after the unplug');
      assert.ok(killed, 'socat was killed mid-transfer');
      assert.ok(logB.received < total, 'the transfer was cut short');
      await within(killed, 5000, 'socat to exit');
      await quietPeriod(200); // late events from serialport would land here
      for (const [name, log, path] of [['A', logA, p.a], ['B', logB, p.b]] as const) {
        assert.equal(log.errors.length, 1, `${name}: exactly one Error`);
        const err = log.errors[0] as HilrigError;
        assert.equal(err.code, 'PORT_VANISHED', `${name}: ${err.message}`);
        assert.ok(err.message.includes(path), `${name}: the message names the port`);
        assert.deepEqual(log.events.slice(-2), [Ev.Error, Ev.Close], `${name}: Error then Close, nothing after`);
        assert.equal(log.destroyed, 1, `${name}: proto.destroy ran once`);
      }
      escapes.check();
    } finally {
      escapes.stop();
    }
  });

  // 'reading': killed right after open, while the first read is in flight (the case where
  // serialport alone spins on 0-byte reads and never reports); 'writing': writes fail with EIO.
  for (const activity of ['reading', 'writing'] as const) {
    it(`driver: a port vanishing while ${activity} is reported once, with nothing after`, async () => {
      pair = await openPtyPair();
      const escapes = watchEscapes();
      const calls: string[] = [];
      let opened!: () => void;
      let failed!: (e: HilrigError) => void;
      const isOpen = new Promise<void>((r) => (opened = r));
      const hasFailed = new Promise<HilrigError>((r) => (failed = r));
      const sink: LinkSink = {
        opened: () => (calls.push('opened'), opened()),
        data: () => void calls.push('data'),
        sent: () => void calls.push('sent'),
        failed: (e) => (calls.push(`failed:${e.code}`), failed(e)),
        ended: () => void calls.push('ended'),
      };
      let t: Transport | undefined;
      try {
        t = serialDriver.connect(new URL(serialUrl(pair.a)), sink, { clock: new RealClock(), recvLimit: 1 << 20 });
        await within(isOpen, 5000, 'the port to open');
        if (activity === 'writing') for (let i = 0; i < 64; i++) t.write(pattern(1 << 16, i));
        void pair.kill();
        const err = await within(hasFailed, 5000, 'the failure report');
        assert.equal(err.code, 'PORT_VANISHED');
        await quietPeriod(250); // a second report would land here
        const after = calls.slice(calls.indexOf('failed:PORT_VANISHED') + 1);
        assert.deepEqual(after, [], 'no sink call after the failure');
        assert.equal(calls.filter((c) => c.startsWith('failed')).length, 1);
        escapes.check();
      } finally {
        t?.close();
        escapes.stop();
      }
    });
  }

  it('a port that does not exist: Open, Error PORT_NOT_FOUND naming the path, Close', async () => {
    mgr = new Manager();
    const path = '/dev/ttyACM97-hilrig-absent';
    const seen: [number, unknown][] = [];
    const c = mgr.connect(serialUrl(path), (_c, ev, data) => void (ev !== Ev.Poll && seen.push([ev, data])));
    await within(c.closed, 5000, 'the connection to close');
    assert.deepEqual(
      seen.map(([ev]) => ev),
      [Ev.Open, Ev.Error, Ev.Close],
    );
    const err = seen[1]?.[1];
    assert.ok(err instanceof HilrigError);
    assert.equal(err.code, 'PORT_NOT_FOUND');
    assert.ok(err.message.includes(path), err.message);
    assert.match(err.message, /hilrig ports/);
    await assert.rejects(c.ready, { code: 'PORT_NOT_FOUND' });
  });

  it('a port another program holds is PORT_BUSY', async () => {
    pair = await openPtyPair();
    mgr = new Manager();
    const first = mgr.connect(serialUrl(pair.a), () => undefined);
    await within(first.ready, 5000, 'the first open');
    const second = mgr.connect(serialUrl(pair.a), () => undefined);
    await assert.rejects(within(second.ready, 5000, 'the second open'), (e: unknown) => {
      assert.ok(e instanceof HilrigError);
      assert.equal(e.code, 'PORT_BUSY', e.message);
      assert.match(e.message, /another program holds it/);
      return true;
    });
    assert.equal(first.isClosed, false, 'the holder keeps its port');
  });

  it('a bad serial URL fails the connection with BAD_URL', async () => {
    mgr = new Manager();
    const c = mgr.connect('serial:///dev/ttyACM0?parity=weird', () => undefined);
    await assert.rejects(within(c.ready, 5000, 'the failure'), { code: 'BAD_URL' });
  });

  it('a port the user may not open is PORT_PERMISSION with the dialout hint', async function () {
    // As root every open succeeds; run the open as `nobody` (the pty is root's, mode 620).
    if (process.getuid?.() !== 0) this.skip();
    pair = await openPtyPair();
    const driver = fileURLToPath(new URL('../../drivers/serial/serial-driver.js', import.meta.url));
    const clock = fileURLToPath(new URL('../../rig/engine/clock.js', import.meta.url));
    const script = `
      const { serialDriver } = await import(${JSON.stringify(driver)});
      const { RealClock } = await import(${JSON.stringify(clock)});
      const t = serialDriver.connect(new URL(${JSON.stringify(serialUrl(pair.a))}), {
        opened() { console.log(JSON.stringify({ opened: true })); t.close(); },
        data() {}, sent() {}, ended() {},
        failed(e) { console.log(JSON.stringify({ code: e.code, message: e.message })); },
      }, { clock: new RealClock(), recvLimit: 1024 });`;
    const out = await new Promise<string>((resolve, reject) => {
      execFile(
        'setpriv',
        ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--input-type=module', '-e', script],
        { timeout: 10000 },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
      );
    }).catch((e: Error) => {
      if (/setpriv|ENOENT|Operation not permitted/.test(e.message)) this.skip();
      throw e;
    });
    const r = JSON.parse(out.trim()) as { code?: string; message?: string };
    assert.equal(r.code, 'PORT_PERMISSION', out);
    assert.ok(r.message?.includes(pair.a) && r.message.includes('dialout'), r.message);
  });

  it('stops reading while the handler lags (recv bounded, rss bounded) and loses no byte of 50 MB', async function () {
    this.timeout(30000);
    pair = await openPtyPair();
    mgr = new Manager();
    const total = 50 * 1024 * 1024;
    const limit = 256 * 1024;
    const slice = 64 * 1024;
    // the producer: a plain SerialPort on the other end, writing as fast as the pty takes it
    const producer = new SerialPort({ path: pair.b, baudRate: 921600, autoOpen: false });
    rawPorts.push(producer);
    producer.on('error', () => undefined);
    await within(new Promise<void>((res, rej) => producer.open((e) => (e ? rej(e) : res()))), 5000, 'the producer port');

    let maxRecv = 0;
    let pausedSeen = 0;
    let consumed = 0;
    let mismatchAt = -1;
    let rssMax = 0;
    let finish!: () => void;
    let fail!: (e: unknown) => void;
    const done = new Promise<void>((res, rej) => ((finish = res), (fail = rej)));
    const c = mgr.connect(
      serialUrl(pair.a, 'baud=921600'),
      (conn, ev, data) => {
        if (ev === Ev.Recv) maxRecv = Math.max(maxRecv, conn.recv.length);
        if (ev === Ev.Error) fail(data);
        if (ev !== Ev.Timer) return;
        // the slow consumer: 64 KiB every 10 ms (about 6 MB/s, slower than the pty)
        if (conn.paused) pausedSeen++;
        const n = Math.min(slice, conn.recv.length);
        const v = conn.recv.view();
        for (let i = 0; i < n && mismatchAt < 0; i++) if (v[i] !== ((consumed + i) * 7) % 251) mismatchAt = consumed + i;
        conn.recv.consume(n);
        consumed += n;
        rssMax = Math.max(rssMax, process.memoryUsage().rss);
        if (mismatchAt >= 0) fail(new Error(`byte ${mismatchAt} differs`));
        else if (consumed >= total) finish();
      },
      { recvLimit: limit },
    );
    await within(c.ready, 5000, 'the engine port');
    c.addTimer(10, { repeat: true });
    const rss0 = process.memoryUsage().rss;

    // stream the pattern in 64 KiB chunks, waiting for 'drain' so the producer holds little
    const period = 251;
    const source = Buffer.allocUnsafe(slice + period);
    for (let i = 0; i < source.length; i++) source[i] = (i * 7) % 251;
    const produced = (async () => {
      for (let off = 0; off < total; off += slice) {
        const chunk = source.subarray(off % period, (off % period) + Math.min(slice, total - off));
        if (!producer.write(chunk)) await new Promise<void>((r) => producer.once('drain', r));
      }
    })();
    await within(Promise.all([produced, done]), 25000, '50 MB through a 256 KiB recv buffer');

    assert.equal(consumed, total);
    assert.ok(maxRecv >= limit, `the producer outran the consumer (recv peaked at ${maxRecv})`);
    // paused as soon as the limit is reached, recv holds at most one more read (serialport
    // reads up to its 64 KiB highWaterMark at a time)
    assert.ok(maxRecv < limit + 64 * 1024, `recv peaked at ${maxRecv} bytes, limit ${limit}`);
    assert.ok(pausedSeen > 0, 'the engine paused the port');
    const grewMb = (rssMax - rss0) / 2 ** 20;
    assert.ok(grewMb < 64, `rss grew ${grewMb.toFixed(1)} MB`);
  });

  it('line control on a pty is rejected as NOT_SUPPORTED, and the port keeps working', async () => {
    pair = await openPtyPair();
    mgr = new Manager();
    const atB = receiver(5);
    const a = mgr.connect(serialUrl(pair.a), () => undefined);
    const b = mgr.connect(serialUrl(pair.b), atB.handler);
    await within(Promise.all([a.ready, b.ready]), 5000, 'both ports to open');
    const line = a.line;
    assert.ok(line, 'a serial connection has line control');
    const notSupported = (e: unknown): boolean => {
      assert.ok(e instanceof HilrigError, String(e));
      assert.equal(e.code, 'NOT_SUPPORTED');
      assert.match(e.message, /pseudo-terminal has no modem lines/);
      assert.ok(e.message.includes(pair?.a ?? '?'));
      return true;
    };
    await assert.rejects(line.set({ dtr: false }), notSupported);
    await assert.rejects(line.get(), notSupported);
    await assert.rejects(line.sendBreak(10), notSupported);
    await assert.rejects(runResetSequence(line, 'esptool', clockSleep(mgr.clock)), notSupported);
    a.send(Buffer.from('alive'));
    assert.equal((await within(atB.done, 5000, 'bytes after the rejected ioctls')).toString(), 'alive');
    assert.equal(a.isClosed, false);
  });
});
