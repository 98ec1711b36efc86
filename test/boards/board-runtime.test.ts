// The firmware runtime without links: serial routing with exact chunking, per-boot service
// state, bug-mode checks and Zephyr-style output, on a VirtualClock.
import assert from 'node:assert/strict';
import { BoardRuntime } from '../../boards/virtual/board-runtime.js';
import { uptimeStamp } from '../../boards/virtual/board-console.js';
import { type BoardService, SERIAL_WAIT } from '../../boards/virtual/service.js';
import { shellService } from '../../boards/virtual/services/shell.js';
import { IoBuf, VirtualClock } from '../../rig/engine/index.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const flushed = (): Promise<void> => new Promise((r) => queueMicrotask(r));

function runtime(services: BoardService[], bugs: string[] = []) {
  const clock = new VirtualClock(5000);
  let wire = '';
  const lines: string[] = [];
  const rt = new BoardRuntime({
    name: 'unit',
    version: '9.9.9',
    services,
    bugs: bugs.map((name) => ({ name, rule: 'r', service: services.find((s) => s.bugs?.some((b) => b.name === name))!.name })),
    clock,
    outputs: { serial: (b) => (wire += new TextDecoder().decode(b)), lines: (t) => lines.push(t) },
    links: () => ['test link'],
  });
  const input = new IoBuf();
  const type = (s: string | Uint8Array): void => {
    input.append(typeof s === 'string' ? enc(s) : s);
    rt.serialInput(input);
  };
  return { rt, clock, lines, input, type, wire: () => wire };
}

describe('virtual board runtime', () => {
  it('stamps log lines with the uptime, Zephyr style', () => {
    assert.equal(uptimeStamp(0), '00:00:00.000,000');
    assert.equal(uptimeStamp(3_723_004.567), '01:02:03.004,567');
  });

  it('boots with a banner, its links and services, then a prompt without a newline', async () => {
    const { rt, clock, lines, wire } = runtime([shellService]);
    clock.advance(1500);
    rt.boot();
    await flushed();
    assert.deepEqual(lines, [
      '*** Booting hilrig virtual board v9.9.9 ***',
      '[00:00:00.000,000] <inf> board: unit: firmware 9.9.9, boot 1',
      '[00:00:00.000,000] <inf> board: link test link',
      '[00:00:00.000,000] <inf> board: services: shell',
    ]);
    assert.ok(wire().endsWith('services: shell\r\nuart:~$ '), JSON.stringify(wire()));
  });

  it('holds a frame a service is waiting on, and gives the text around it to the shell', async () => {
    const frames: string[] = [];
    const framer: BoardService = {
      name: 'framer',
      onSerialBytes(_ctx, view) {
        if (view[0] !== 0xc0) return 0;
        const end = view.indexOf(0xc0, 1);
        if (end < 0) return SERIAL_WAIT;
        frames.push(Buffer.from(view.subarray(1, end)).toString());
        return end + 1;
      },
    };
    const { rt, lines, input, type } = runtime([framer, shellService]);
    rt.boot();
    type('echo one\r');
    type('\n');
    type(new Uint8Array([0xc0, 0x70, 0x61]));
    assert.equal(input.length, 3, 'a partial frame stays in the buffer');
    assert.deepEqual(frames, []);
    type(new Uint8Array([0x79, 0xc0]));
    type('echo two\n');
    await flushed();
    assert.deepEqual(frames, ['pay']);
    assert.deepEqual(lines.filter((l) => !l.startsWith('[') && !l.startsWith('***')), ['uart:~$ echo one', 'one', 'uart:~$ echo two', 'two']);
    assert.equal(input.length, 0);
  });

  it('gives each service fresh state at every boot', () => {
    const counter: BoardService = {
      name: 'counter',
      commands: [{ name: 'count', summary: 'count', run: (ctx) => ctx.print(`n=${++ctx.state(() => ({ n: 0 })).n}`) }],
    };
    const { rt, lines, type } = runtime([counter, shellService]);
    rt.boot();
    type('count\ncount\n');
    assert.deepEqual(lines.filter((l) => l.startsWith('n=')), ['n=1', 'n=2']);
    type('reboot\r\n');
    type('count\n');
    assert.deepEqual(lines.filter((l) => l.startsWith('n=')), ['n=1', 'n=2', 'n=1']);
    // "reboot\r\n": the \n after the \r is not a second (empty) command
    assert.equal(lines.filter((l) => l === 'uart:~$ ').length, 0);
  });

  it('tells a service whether its bug mode is on, and refuses one it did not declare', () => {
    const seen: string[] = [];
    const buggy: BoardService = {
      name: 'buggy',
      bugs: [{ name: 'off-by-one', rule: 'r', service: 'buggy' }],
      commands: [
        { name: 'probe', summary: 'p', run: (ctx) => seen.push(`off-by-one=${ctx.bug('off-by-one')}`) },
        { name: 'typo', summary: 't', run: (ctx) => seen.push(`of-by-one=${ctx.bug('of-by-one')}`) },
      ],
    };
    const on = runtime([buggy], ['off-by-one']);
    on.rt.boot();
    on.type('probe\ntypo\n');
    assert.deepEqual(seen, ['off-by-one=true']);
    assert.ok(on.lines.includes('typo: failed: service buggy asked for bug mode "of-by-one", which it does not declare'), on.lines.join('\n'));
    const off = runtime([buggy]);
    off.rt.boot();
    off.type('probe\n');
    assert.deepEqual(seen, ['off-by-one=true', 'off-by-one=false']);
  });

  it('ends a waiting prompt before output that is not a command\'s, and prompts again', async () => {
    const pinger: BoardService = { name: 'pinger', onDatagram: (ctx) => (ctx.log('inf', 'net', 'ping'), true) };
    const { rt, wire } = runtime([pinger, shellService]);
    rt.boot();
    await flushed();
    const before = wire().length;
    rt.datagram('udp://127.0.0.1:1', enc('x'), () => undefined);
    await flushed();
    assert.equal(wire().slice(before), '\r\n[00:00:00.000,000] <inf> net: ping\r\nuart:~$ ');
  });
});
