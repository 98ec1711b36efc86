// `hilrig trace convert` and `hilrig console --pcap` as a user runs them: child processes, real
// files, tshark reading what they wrote. Every child is waited for, and killed if a test fails.
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Manager } from '../../rig/index.js';
import { CoapEv, type CoapEvents } from '../../protocols/coap/coap-events.js';
import { coapEndpoint, setProtocolCoap } from '../../protocols/coap/coap-protocol.js';
import { PcapngTraceWriter } from '../../reports/trace/pcapng-writer.js';
import { TraceJsonlWriter } from '../../reports/trace/trace-jsonl.js';
import { within } from '../helpers/wait.js';

const CLI = fileURLToPath(new URL('../../rig/cli/main.js', import.meta.url));
const CRASH_SIGNS = /Unhandled|uncaught|node:internal|internal error|^\s+at .+:\d+:\d+\)?$/m;

interface Child {
  proc: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
}
const children = new Set<Child>();

function start(args: string[]): Child {
  const proc = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => proc.on('close', (code) => resolve(code)));
  const c: Child = { proc, out: () => out, err: () => err, exited };
  children.add(c);
  void exited.then(() => children.delete(c));
  return c;
}

async function runCli(args: string[], ms = 15000): Promise<{ code: number | null; out: string; err: string }> {
  const c = start(args);
  const code = await within(c.exited, ms, `hilrig ${args.join(' ')} to exit`);
  return { code, out: c.out(), err: c.err() };
}

function tshark(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    execFile('tshark', args, { timeout: 30000, maxBuffer: 64 << 20 }, (e, out, err) => {
      if (e && typeof e.code !== 'number') return reject(new Error(`tshark did not run: ${e.message}`));
      resolve({ code: e ? Number(e.code) : 0, out, err: err.replace(/^Running as user "root".*\n?/gm, '') });
    });
  });
}

/** The blocks after the Section Header Block (whose comment says how the file was made). */
function afterSectionHeader(file: string): Buffer {
  const b = fs.readFileSync(file);
  return b.subarray(b.readUInt32LE(4));
}

describe('hilrig trace convert', function () {
  this.timeout(30000);
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hilrig-trace-'));
  });
  afterEach(async () => {
    for (const c of [...children]) {
      c.proc.kill('SIGKILL');
      await c.exited;
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  /** CoAP traffic through the engine, traced both as JSONL and directly as pcapng. */
  async function recordBoth(): Promise<{ jsonl: string; direct: string; coapMessages: number }> {
    const jsonl = path.join(tmp, 'run.jsonl');
    const direct = path.join(tmp, 'direct.pcapng');
    const mgr = new Manager();
    const j = TraceJsonlWriter.open(jsonl);
    const p = PcapngTraceWriter.open(direct);
    j.subscribe(mgr.tap);
    p.subscribe(mgr.tap);
    try {
      const server = mgr.listen<CoapEvents>('udp://127.0.0.1:0', (_c, ev, data) => {
        if (ev === CoapEv.Request) data.respond({ code: 0x45, payload: 'ok' });
      }, { label: 'board' });
      setProtocolCoap(server, { server: true });
      await server.ready;
      const client = mgr.connect<CoapEvents>(server.local, () => undefined, { label: 'rig' });
      setProtocolCoap(client);
      await client.ready;
      for (let i = 0; i < 4; i++) await coapEndpoint(client).request({ method: 'GET', path: `/n${i}` });
    } finally {
      await mgr.shutdown();
      j.close();
      p.close();
    }
    return { jsonl, direct, coapMessages: 16 };
  }

  it('turns the JSONL byte trace into the same packets the direct pcapng writer wrote', async () => {
    const { jsonl, direct, coapMessages } = await recordBoth();
    const lines = fs.readFileSync(jsonl, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const data = lines.filter((l) => l.kind === 'data');
    assert.equal(data.length, coapMessages);
    assert.deepEqual(Object.keys(data[0]!), ['ts', 'tsNs', 'kind', 'conn', 'label', 'dir', 'len', 'hex']);
    assert.deepEqual(lines.map((l) => l.kind).filter((k) => k !== 'data').sort(), ['close', 'close', 'close', 'open', 'open', 'open']);

    const out = path.join(tmp, 'converted.pcapng');
    const r = await runCli(['trace', 'convert', jsonl, '--pcap', out]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, `${out}: 16 packets on 2 interfaces, from 22 records\n`);
    assert.ok(afterSectionHeader(out).equals(afterSectionHeader(direct)), 'interfaces and packets byte-identical');

    const port = String(lines.find((l) => l.kind === 'open' && l.label === 'board')!.local).split(':').pop()!;
    const t = await tshark(['-r', out, '-d', `udp.port==${port},coap`, '-Y', 'coap', '-T', 'fields', '-e', 'coap.mid']);
    assert.equal(t.code, 0, t.err);
    assert.equal(t.out.trim().split('\n').length, coapMessages);
  });

  it('the output defaults to the input name with .pcapng; a cut-off last line is skipped with a note', async () => {
    const { jsonl } = await recordBoth();
    const text = fs.readFileSync(jsonl, 'utf8');
    const lastData = text.lastIndexOf('"kind":"data"');
    const cut = path.join(tmp, 'killed.jsonl');
    fs.writeFileSync(cut, text.slice(0, lastData + 30)); // a killed run: the file ends inside a record
    const r = await runCli(['trace', 'convert', cut]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /skipped the last line, cut off/);
    assert.match(r.out, /killed\.pcapng: 15 packets on 2 interfaces/);
    const t = await tshark(['-r', path.join(tmp, 'killed.pcapng'), '-T', 'fields', '-e', 'frame.number']);
    assert.equal(t.code, 0, t.err);
    assert.equal(t.out.trim().split('\n').length, 15);
  });

  it('a line that is not a record stops with its line number; usage errors exit 2 naming the problem', async () => {
    const bad = path.join(tmp, 'bad.jsonl');
    fs.writeFileSync(bad, [
      '{"ts":"x","tsNs":"1","kind":"open","conn":1,"label":"b","transport":"serial","url":"serial:///dev/x","peer":"/dev/x","local":"","datagram":false}',
      '{"ts":"x","tsNs":"2","kind":"data","conn":1,"label":"b","dir":"in","len":2,"hex":"6869"}',
      '{"ts":"x","tsNs":"3","kind":"data","conn":1,"label":"b","dir":"sideways","len":1,"hex":"00"}',
      '{"ts":"x","tsNs":"4","kind":"data","conn":1,"label":"b","dir":"in","len":1,"hex":"00"}',
      '',
    ].join('\n'));
    const r = await runCli(['trace', 'convert', bad, '--pcap', path.join(tmp, 'bad.pcapng')]);
    assert.equal(r.code, 2);
    assert.match(r.err, /bad\.jsonl:3: not a trace record: dir must be "in" or "out"/);
    assert.doesNotMatch(r.err, CRASH_SIGNS);

    const none = await runCli(['trace']);
    assert.equal(none.code, 2);
    assert.match(none.err, /a sub-command is missing/);
    const opt = await runCli(['trace', 'convert', bad, '--frobnicate']);
    assert.equal(opt.code, 2);
    assert.match(opt.err, /unknown option '--frobnicate'/);
    const missing = await runCli(['trace', 'convert', path.join(tmp, 'nope.jsonl')]);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /nope\.jsonl/);
    assert.doesNotMatch(missing.err, CRASH_SIGNS);
    const same = await runCli(['trace', 'convert', bad, '--pcap', bad]);
    assert.equal(same.code, 2);
    assert.match(same.err, /is the input file/);

    const help = await runCli(['trace', '--help']);
    assert.equal(help.code, 0);
    for (const s of ['hilrig trace convert FILE.jsonl', '--pcap FILE', 'default: FILE.jsonl with the extension .pcapng', 'hilrig console URL --pcap FILE', 'udp.port==PORT,coap', 'frame.comment contains "slipmux"']) {
      assert.ok(help.out.includes(s), `help lacks ${s}`);
    }
  });
});

describe('hilrig console --pcap', function () {
  this.timeout(30000);
  let tmp: string;
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'hilrig-trace-'));
  });
  afterEach(async () => {
    for (const c of [...children]) {
      c.proc.kill('SIGKILL');
      await c.exited;
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('records the console port\'s bytes both ways while attached, as pcapng tshark reads', async () => {
    const sim = start(['sim', '--pty', '--no-udp']);
    await within(
      new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (/^ready serial:\/\/\S+$/m.test(sim.out())) resolve();
          else if (sim.proc.exitCode !== null) reject(new Error(`sim exited: ${sim.err()}`));
        };
        sim.proc.stdout!.on('data', check);
        sim.proc.on('exit', check);
        check();
      }),
      10000,
      'the sim ready line',
    );
    const serial = /^ready (serial:\/\/\S+)$/m.exec(sim.out())![1]!;
    const pcap = path.join(tmp, 'console.pcapng');
    const r = await runCli(['console', serial, '--send', 'echo traced', '--expect', 'traced', '--timeout', '5000', '--pcap', pcap]);
    assert.equal(r.code, 0, `stdout: ${r.out}\nstderr: ${r.err}`);
    sim.proc.kill('SIGTERM');
    await within(sim.exited, 10000, 'sim to exit');

    const t = await tshark(['-r', pcap, '-T', 'fields', '-e', 'frame.packet_flags_direction', '-e', 'frame.len', '-e', 'frame.interface_description']);
    assert.equal(t.code, 0, t.err);
    const rows = t.out.trim().split('\n').map((l) => l.split('\t'));
    const sent = rows.filter((x) => (Number(x[0]) & 3) === 2).reduce((n, x) => n + Number(x[1]), 0);
    assert.equal(sent, 'echo traced\r\n'.length, 'the typed line, outbound');
    assert.ok(rows.some((x) => (Number(x[0]) & 3) === 1), 'the board\'s answer, inbound');
    const path0 = new URL(serial).pathname;
    assert.match(rows[0]![2]!, new RegExp(`^raw serial bytes of ${path0.replace(/\//g, '\\/')} at 115200 baud`));

    const help = await runCli(['console', '--help']);
    assert.ok(help.out.includes('--pcap FILE'), 'console --help documents --pcap');
  });
});
