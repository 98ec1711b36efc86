// A traced run that dies by SIGKILL (no exit handlers, no close) still leaves a pcapng file that
// tshark reads, with every packet the writer had flushed. A child process runs UDP ping-pong
// through the engine with a PcapngTraceWriter on its tap, reporting after each explicit flush
// how many packets are on disk; the test kills it mid-traffic and reads the file back with its
// own block walker and with tshark.
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PcapngTraceWriter } from '../../reports/trace/pcapng-writer.js';
import { within } from '../helpers/wait.js';

const dist = (rel: string): string => new URL(`../../${rel}`, import.meta.url).href;

/** The child: ping-pong of 16 datagrams in flight, sizes 1..300, for as long as it lives. */
const CHILD = `
import { Ev, Manager } from ${JSON.stringify(dist('rig/index.js'))};
import { PcapngTraceWriter } from ${JSON.stringify(dist('reports/trace/pcapng-writer.js'))};
const w = PcapngTraceWriter.open(process.argv[1]);
const mgr = new Manager({ pollMs: 0 });
w.subscribe(mgr.tap);
const server = mgr.listen('udp://127.0.0.1:0', (c, ev) => {
  if (ev === Ev.Recv) { c.send(c.recv.toBytes()); c.recv.clear(); }
}, { label: 'echo' });
await server.ready;
let n = 0;
const next = () => { n++; const b = new Uint8Array(1 + (n * 37) % 300); b.fill(n & 0xff); return b; };
const client = mgr.connect(server.local, (c, ev) => {
  if (ev === Ev.Recv) { c.recv.clear(); c.send(next()); }
}, { label: 'pinger' });
await client.ready;
for (let i = 0; i < 16; i++) client.send(next());
setInterval(() => { w.flush(); process.stdout.write('flushed ' + w.packets + '\\n'); }, 10);
`;

interface Walk {
  epbs: number;
  idbs: number;
  /** bytes after the last whole block */
  partialTail: number;
}

/** Walk pcapng blocks: whole blocks counted by type, and what is left after the last whole one. */
function walkBlocks(buf: Buffer): Walk {
  let off = 0;
  const w: Walk = { epbs: 0, idbs: 0, partialTail: 0 };
  while (off + 12 <= buf.length) {
    const type = buf.readUInt32LE(off);
    const len = buf.readUInt32LE(off + 4);
    assert.ok(len >= 12 && len % 4 === 0, `block at ${off}: bad length ${len}`);
    if (off + len > buf.length) break;
    assert.equal(buf.readUInt32LE(off + len - 4), len, `block at ${off}: trailer length differs`);
    if (type === 6) w.epbs++;
    else if (type === 1) w.idbs++;
    else assert.equal(type, 0x0a0d0d0a, `block at ${off}: unexpected type 0x${type.toString(16)}`);
    off += len;
  }
  w.partialTail = buf.length - off;
  return w;
}

function tshark(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    execFile('tshark', args, { timeout: 30000, maxBuffer: 64 << 20 }, (e, out, err) => {
      if (e && typeof e.code !== 'number') return reject(new Error(`tshark did not run: ${e.message}`));
      resolve({ code: e ? Number(e.code) : 0, out, err: err.replace(/^Running as user "root".*\n?/gm, '') });
    });
  });
}

describe('pcapng trace of a run killed with SIGKILL', function () {
  this.timeout(30000);
  let dir: string;
  let child: ChildProcess | undefined;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hilrig-sigkill-'));
  });
  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((r) => child!.once('exit', r));
      child.kill('SIGKILL');
      await gone;
    }
    child = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('tshark reads the file up to the last whole block, every flushed packet included', async () => {
    const file = path.join(dir, 'killed.pcapng');
    child = spawn(process.execPath, ['--input-type=module', '-e', CHILD, file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child!.once('exit', (_code, sig) => resolve(sig)));
    // wait until a few thousand packets are on disk, by the child's own count
    let flushed = 0;
    await within(
      new Promise<void>((resolve, reject) => {
        child!.stdout!.setEncoding('utf8').on('data', (d: string) => {
          out += d;
          const all = [...out.matchAll(/^flushed (\d+)$/gm)];
          flushed = Number(all[all.length - 1]?.[1] ?? 0);
          if (flushed >= 3000) resolve();
        });
        void exited.then(() => reject(new Error(`the child exited early: ${err}`)));
      }),
      20000,
      'the child to flush 3000 packets',
    );
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');

    const walk = walkBlocks(fs.readFileSync(file));
    assert.ok(walk.epbs >= flushed, `${walk.epbs} whole packets on disk, the child had flushed ${flushed}`);
    assert.equal(walk.idbs, 2, 'pinger and the echo child connection');

    const r = await tshark(['-r', file, '-T', 'fields', '-e', 'frame.number', '-e', 'udp.length']);
    const frames = r.out.split('\n').filter((l) => l !== '');
    assert.equal(frames.length, walk.epbs, 'tshark reads every whole block');
    if (walk.partialTail === 0) {
      assert.equal(r.code, 0, r.err);
      assert.equal(r.err, '');
    } else {
      // the kill landed inside a write: the reader reports the cut, after the whole blocks
      assert.match(r.err, /cut short|truncated|damaged/i);
    }
    // the synthetic UDP lengths are the datagrams' (8 + 1..300)
    for (const f of frames) {
      const len = Number(f.split('\t')[1]);
      assert.ok(len >= 9 && len <= 308, `udp.length ${len}`);
    }
  });

  it('a file cut inside a block (by hand) is still read up to the block before the cut', async () => {
    // the rare case above, made certain: the same writer's file with its last block cut in half
    const file = path.join(dir, 'cut.pcapng');
    const w = PcapngTraceWriter.open(file);
    const conn = { connId: 1, transport: 'udp', url: 'udp://127.0.0.1:5683', peer: 'udp://127.0.0.1:5683', local: 'udp://127.0.0.1:40000', datagram: true, label: 'board' };
    w.write({ kind: 'open', tsNs: 1n, conn });
    for (let i = 0; i < 5; i++) w.write({ kind: 'data', tsNs: BigInt(2 + i), connId: 1, dir: 'out', bytes: new Uint8Array(10 + i) });
    w.close();
    const whole = fs.readFileSync(file);
    fs.writeFileSync(file, whole.subarray(0, whole.length - 20));
    assert.equal(walkBlocks(fs.readFileSync(file)).epbs, 4);
    const r = await tshark(['-r', file, '-T', 'fields', '-e', 'frame.number']);
    assert.equal(r.out.trim().split('\n').length, 4, 'the four whole packets');
    assert.match(r.err, /cut short|truncated|damaged/i);
  });
});
