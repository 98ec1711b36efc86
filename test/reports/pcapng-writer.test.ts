// The pcapng trace read back by tshark (Wireshark's own reader and dissectors), from real
// traffic through the engine: CoAP over UDP against libcoap's server and against our own
// endpoint, and serial bytes over a socat pty. What a user relies on: tshark opens the file,
// finds every CoAP message the engine sent and received with its Message ID, in order, with the
// real addresses, ports and direction, and a serial trace keeps every chunk as it crossed.
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type Connection, Ev, Manager, type TraceRecord } from '../../rig/index.js';
import { parseCoap, serializeCoap } from '../../protocols/coap/coap-codec.js';
import { CoapEv, type CoapEvents } from '../../protocols/coap/coap-events.js';
import { coapEndpoint, setProtocolCoap } from '../../protocols/coap/coap-protocol.js';
import { CoapType } from '../../protocols/coap/coap-types.js';
import { encodeCoapFrame, encodeDiagnosticFrame } from '../../protocols/slipmux/slipmux-frame.js';
import { PcapngTraceWriter } from '../../reports/trace/pcapng-writer.js';
import { openPtyPair, type PtyPair } from '../helpers/pty-pair.js';
import { waitFor, within } from '../helpers/wait.js';

const TYPES = ['CON', 'NON', 'ACK', 'RST'];
const utf8 = new TextEncoder();

/** tshark's output; the warning about running as root is not an error. */
function tshark(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    execFile('tshark', args, { timeout: 30000, maxBuffer: 64 << 20 }, (e, out, err) => {
      if (e && typeof e.code !== 'number') return reject(new Error(`tshark did not run: ${e.message}`));
      resolve({ code: e ? Number(e.code) : 0, out, err: err.replace(/^Running as user "root".*\n?/gm, '') });
    });
  });
}

/** `-T fields` rows, split on tabs. */
async function fields(file: string, names: string[], extra: string[] = []): Promise<string[][]> {
  const r = await tshark(['-r', file, ...extra, '-T', 'fields', ...names.flatMap((n) => ['-e', n])]);
  assert.equal(r.code, 0, `tshark failed: ${r.err}`);
  assert.equal(r.err, '', 'tshark complained');
  return r.out.split('\n').filter((l) => l !== '').map((l) => l.split('\t'));
}

const dirName = (flags: string): string => ({ 1: 'in', 2: 'out' })[Number(flags) & 3] ?? `?${flags}`;

/**
 * libcoap's server on port 5683, the port a board uses and Wireshark dissects as CoAP unasked, on
 * a loopback address of its own (all of 127/8 is loopback on Linux), so it meets nothing else
 * that runs on this machine. Another address is drawn if that one is taken.
 */
async function startLibcoapOn5683(): Promise<{ address: string; stop(): Promise<void> }> {
  const draw = (n: number): number => Math.floor(Math.random() * n);
  for (let attempt = 0; attempt < 5; attempt++) {
    const address = `127.${1 + draw(254)}.${draw(256)}.${1 + draw(254)}`;
    const child: ChildProcess = spawn('coap-server-notls', ['-A', address, '-p', '5683', '-d', '10'], { stdio: 'ignore' });
    const exited = new Promise<'exited'>((resolve) => child.once('exit', () => resolve('exited')));
    child.once('error', () => undefined);
    const sock = dgram.createSocket('udp4');
    const answered = new Promise<'ready'>((resolve) => sock.once('message', () => resolve('ready')));
    let mid = 0;
    const ping = setInterval(() => sock.send(Uint8Array.of(0x40, 0, 0, ++mid & 0xff), 5683, address), 20);
    try {
      const r = await within(Promise.race([answered, exited]), 3000, `coap-server-notls on ${address}:5683 to answer a ping`);
      if (r === 'ready') {
        return {
          address,
          stop: async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            await exited;
          },
        };
      }
    } catch (e) {
      child.kill('SIGKILL');
      await exited;
      throw e;
    } finally {
      clearInterval(ping);
      sock.close();
    }
  }
  throw new Error('coap-server-notls could not bind port 5683 on five loopback addresses');
}

describe('pcapng trace read by tshark', function () {
  this.timeout(30000);
  let dir: string;
  let mgr: Manager | undefined;
  let writer: PcapngTraceWriter | undefined;
  const cleanups: (() => Promise<void>)[] = [];

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hilrig-pcapng-'));
  });
  afterEach(async () => {
    await mgr?.shutdown();
    mgr = undefined;
    writer?.close();
    writer = undefined;
    for (const c of cleanups.splice(0).reverse()) await c();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('CoAP with libcoap on port 5683: tshark decodes every message, no Decode As, with MIDs, addresses and direction', async () => {
    const server = await startLibcoapOn5683();
    cleanups.push(server.stop);
    const file = path.join(dir, 'coap.pcapng');
    mgr = new Manager();
    writer = PcapngTraceWriter.open(file);
    writer.subscribe(mgr.tap);

    // what the engine itself says crossed, message by message
    const seen: string[] = [];
    const c = mgr.connect<CoapEvents>(`udp://${server.address}:5683`, (_c, ev, data) => {
      if (ev === CoapEv.Sent) seen.push(`out ${TYPES[data.msg.type]} ${data.msg.mid}`);
      else if (ev === CoapEv.Con || ev === CoapEv.Non || ev === CoapEv.Ack || ev === CoapEv.Rst) seen.push(`in ${TYPES[data.type]} ${data.mid}`);
    }, { label: 'libcoap' });
    setProtocolCoap(c);
    await c.ready;
    const ep = coapEndpoint(c);
    assert.equal((await ep.request({ method: 'GET', path: '/' })).msg.code, 0x45);
    assert.equal((await ep.request({ method: 'GET', path: '/', confirmable: false })).msg.type, CoapType.NON);
    assert.equal(await ep.ping(), 'pong');
    assert.equal((await ep.request({ method: 'PUT', path: '/trace', payload: 'x' })).msg.code, 0x41);
    const local = c.local;
    await mgr.shutdown();
    writer.close();
    assert.equal(seen.length, 8);

    const rows = await fields(file, ['frame.packet_flags_direction', 'coap.type', 'coap.mid', 'ip.src', 'udp.srcport', 'ip.dst', 'udp.dstport', 'ip.checksum.status', 'udp.checksum.status', 'frame.interface_name'], [
      '-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE', '-Y', 'coap',
    ]);
    assert.deepEqual(rows.map(([d, t, m]) => `${dirName(d!)} ${TYPES[Number(t)]} ${m}`), seen);
    const [, localHost, localPort] = /^udp:\/\/(.+):(\d+)$/.exec(local)!;
    for (const [d, , , src, sport, dst, dport, ipOk, udpOk, ifName] of rows) {
      const [from, to] = dirName(d!) === 'out' ? [[localHost, localPort], [server.address, '5683']] : [[server.address, '5683'], [localHost, localPort]];
      assert.deepEqual([src, sport, dst, dport], [...from!, ...to!]);
      assert.deepEqual([ipOk, udpOk], ['1', '1'], 'IP and UDP checksums are good');
      assert.equal(ifName, 'libcoap (udp#1)');
    }
    // nothing but CoAP in the file
    assert.equal((await fields(file, ['frame.number'])).length, 8);
  });

  it('CoAP over IPv6 between our own client and server: both ends traced, one interface per connection', async () => {
    const file = path.join(dir, 'coap6.pcapng');
    mgr = new Manager();
    writer = PcapngTraceWriter.open(file);
    writer.subscribe(mgr.tap);
    const onTap: string[] = [];
    mgr.tap.subscribe((rec: TraceRecord) => {
      if (rec.kind !== 'data') return;
      const r = parseCoap(rec.bytes);
      if (r.kind === 'ok') onTap.push(`${rec.dir} ${TYPES[r.value.type]} ${r.value.mid}`);
    });
    const server = mgr.listen<CoapEvents>('udp://[::1]:0', (_c, ev, data) => {
      if (ev === CoapEv.Request) data.respond({ code: 0x45, payload: 'v6' });
    }, { label: 'board' });
    setProtocolCoap(server, { server: true });
    await server.ready;
    const client = mgr.connect<CoapEvents>(server.local, () => undefined, { label: 'rig' });
    setProtocolCoap(client);
    await client.ready;
    for (let i = 0; i < 3; i++) await coapEndpoint(client).request({ method: 'GET', path: `/r${i}` });
    await mgr.shutdown();
    writer.close();
    assert.equal(onTap.length, 12, 'request and response, each seen by client and server');

    // a port other than 5683 is what Decode As is for; here the test is the IPv6 framing
    const port = /:(\d+)$/.exec(server.local)![1]!;
    const rows = await fields(file, ['frame.packet_flags_direction', 'coap.type', 'coap.mid', 'ipv6.src', 'ipv6.dst', 'udp.checksum.status', 'frame.interface_name'], [
      '-o', 'udp.check_checksum:TRUE', '-d', `udp.port==${port},coap`, '-Y', 'coap',
    ]);
    assert.deepEqual(rows.map(([d, t, m]) => `${dirName(d!)} ${TYPES[Number(t)]} ${m}`), onTap);
    for (const r of rows) assert.deepEqual([r[3], r[4], r[5]], ['::1', '::1', '1']);
    const names = new Set(rows.map((r) => r[6]));
    assert.deepEqual([...names].sort(), [`board<${client.local}> (udp#3)`, 'rig (udp#2)'], 'the listener carried no bytes and has no interface');
  });

  it('serial over a pty: every chunk as it crossed, with direction, and slipmux/SMP frames named in comments', async () => {
    const pair: PtyPair = await openPtyPair();
    cleanups.push(() => pair.kill());
    const file = path.join(dir, 'serial.pcapng');
    mgr = new Manager();
    writer = PcapngTraceWriter.open(file);
    writer.subscribe(mgr.tap);
    const chunks: { dir: string; len: number }[] = [];
    mgr.tap.subscribe((rec: TraceRecord) => {
      if (rec.kind === 'data') chunks.push({ dir: rec.dir, len: rec.bytes.length });
    });
    // the board's side, on a manager of its own that is not traced
    const boardMgr = new Manager();
    cleanups.push(() => boardMgr.shutdown());
    let boardGot = 0;
    const board: Connection = boardMgr.connect(`serial://${pair.a}?baud=115200`, (c, ev) => {
      if (ev === Ev.Recv) {
        boardGot += c.recv.length;
        c.recv.clear();
      }
    });
    let rigGot = 0;
    const rig = mgr.connect(`serial://${pair.b}?baud=115200`, (c, ev) => {
      if (ev === Ev.Recv) {
        rigGot += c.recv.length;
        c.recv.clear();
      }
    }, { label: 'nucleo console' });
    await Promise.all([board.ready, rig.ready]);

    const coap = (type: CoapType, code: number, mid: number): Uint8Array =>
      encodeCoapFrame(serializeCoap({ version: 1, type, code, mid, token: Uint8Array.of(7), options: [], payload: new Uint8Array(0) }).slice());
    const fromBoard = [utf8.encode('*** Booting ***\r\n'), coap(CoapType.ACK, 0x45, 0x1234), smpFrame(1, 0, 0, 5), encodeDiagnosticFrame('heap ok\n')];
    const fromRig = [coap(CoapType.CON, 0x01, 0x0042), smpFrame(0, 0, 0, 5)];
    for (const b of fromRig) rig.send(b);
    for (const b of fromBoard) board.send(b);
    const total = (bs: Uint8Array[]): number => bs.reduce((n, b) => n + b.length, 0);
    await waitFor(() => rigGot === total(fromBoard) && boardGot === total(fromRig), 'every byte to cross the pty');
    await mgr.shutdown();
    writer.close();

    const rows = await fields(file, ['frame.len', 'frame.packet_flags_direction', 'frame.comment', 'frame.interface_description', 'frame.interface_name']);
    assert.deepEqual(rows.map(([len, d]) => ({ dir: dirName(d!), len: Number(len) })), chunks, 'one frame per chunk, same lengths, same order');
    assert.equal(rows.filter((r) => dirName(r[1]!) === 'out').reduce((n, r) => n + Number(r[0]), 0), total(fromRig));
    assert.equal(rows.filter((r) => dirName(r[1]!) === 'in').reduce((n, r) => n + Number(r[0]), 0), total(fromBoard));
    assert.equal(rows[0]![3], `raw serial bytes of ${pair.b} at 115200 baud, one packet per chunk read or written; slipmux/SMP frames inside are named in packet comments`);
    assert.equal(rows[0]![4], 'nucleo console (serial#1)');
    const comments = (d: string): string => rows.filter((r) => dirName(r[1]!) === d).map((r) => r[2]).join(' | ');
    assert.match(comments('in'), /slipmux: CoAP ACK 2\.05 MID 0x1234/);
    assert.match(comments('in'), /smp frame: read response, group 0 \(os\) command 0, seq 5/);
    assert.match(comments('in'), /slipmux: diagnostic "heap ok"/);
    assert.match(comments('out'), /slipmux: CoAP CON 0\.01 GET MID 0x0042/);
    assert.match(comments('out'), /smp frame: read request, group 0 \(os\) command 0, seq 5/);
    // and a display filter finds them
    const found = await fields(file, ['frame.number'], ['-Y', 'frame.comment contains "slipmux: CoAP"']);
    assert.ok(found.length >= 2, `frame.comment filter found ${found.length} frames`);
  });
});

/** An SMP serial frame: 0x06 0x09, base64(length, 8-byte header, empty CBOR map, CRC), newline. */
function smpFrame(op: number, group: number, id: number, seq: number): Uint8Array {
  const pkt = new Uint8Array(2 + 8 + 1 + 2);
  const v = new DataView(pkt.buffer);
  v.setUint16(0, 8 + 1 + 2);
  pkt[2] = op;
  v.setUint16(4, 1);
  v.setUint16(6, group);
  pkt[8] = seq;
  pkt[9] = id;
  pkt[10] = 0xa0;
  return Uint8Array.from([0x06, 0x09, ...utf8.encode(Buffer.from(pkt).toString('base64')), 0x0a]);
}
