// The virtual board in-process, over real parts: UDP on 127.0.0.1 and its console on a socat
// pty, read by the rig's ConsoleSession through the real serial driver.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { createRequire } from 'node:module';
import { virtualProfile } from '../../boards/profiles/virtual.js';
import { boardServices } from '../../boards/virtual/services/index.js';
import { type BoardService, SERIAL_WAIT } from '../../boards/virtual/service.js';
import { type BoardStartOptions, type RunningBoard, VirtualBoard } from '../../boards/virtual/virtual-board.js';
import { defaultDrivers } from '../../drivers/index.js';
import { createPtyPair } from '../../drivers/serial/pty-pair.js';
import { ConsoleSession } from '../../rig/console/console-session.js';
import { type HilrigError, Manager } from '../../rig/index.js';
import { within } from '../helpers/wait.js';

const VERSION = (createRequire(import.meta.url)('../../../package.json') as { version: string }).version;
const platform = (services?: readonly BoardService[]) => ({ drivers: defaultDrivers, openPty: () => createPtyPair(), services });

/** A UDP peer of the board: send, and receive the next datagram. */
async function udpPeer(target: string): Promise<{ ask(text: string): void; next(): Promise<string>; close(): void }> {
  const { hostname, port } = new URL(target);
  const sock = dgram.createSocket('udp4');
  const inbox: string[] = [];
  let wake: (() => void) | undefined;
  sock.on('message', (m) => {
    inbox.push(m.toString('latin1'));
    wake?.();
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  return {
    ask: (text) => sock.send(Buffer.from(text, 'latin1'), Number(port), hostname),
    next: async () => {
      while (inbox.length === 0) await new Promise<void>((r) => (wake = r));
      return inbox.shift()!;
    },
    close: () => sock.close(),
  };
}

describe('virtual board', function () {
  this.timeout(15000);
  let running: RunningBoard | undefined;
  let rig: Manager | undefined;
  afterEach(async () => {
    await rig?.shutdown();
    await running?.stop();
    rig = running = undefined;
  });

  async function boot(opts: BoardStartOptions, services?: readonly BoardService[]): Promise<RunningBoard> {
    running = await new VirtualBoard(platform(services)).start(opts);
    return running;
  }

  async function console_(opts: BoardStartOptions = {}, services?: readonly BoardService[]): Promise<ConsoleSession> {
    const b = await boot({ udp: false, pty: true, ...opts }, services);
    rig = new Manager();
    return ConsoleSession.attach(rig, b.endpoints.serial!, { label: 'virtual' });
  }

  describe('over UDP', () => {
    it('answers a datagram with the same bytes', async () => {
      const b = await boot({ udp: '127.0.0.1:0' });
      assert.match(b.endpoints.udp!, /^udp:\/\/127\.0\.0\.1:\d+$/);
      const peer = await udpPeer(b.endpoints.udp!);
      try {
        peer.ask('ping \x00\xff');
        assert.equal(await within(peer.next(), 5000, 'the echo'), 'ping \x00\xff');
      } finally {
        peer.close();
      }
    });

    it('drops the last byte with --bug echo-truncated, and says so at boot', async () => {
      const logged: string[] = [];
      const b = await boot({ udp: '127.0.0.1:0', bugs: ['echo-truncated'], onConsoleLine: (t) => logged.push(t) });
      assert.ok(logged.some((l) => /<wrn> board: bug mode echo-truncated is on: breaks RFC 862/.test(l)), logged.join('\n'));
      const peer = await udpPeer(b.endpoints.udp!);
      try {
        peer.ask('ping');
        assert.equal(await within(peer.next(), 5000, 'the echo'), 'pin');
      } finally {
        peer.close();
      }
    });

    it('routes a datagram to the first service that claims it', async () => {
      const claimer: BoardService = {
        name: 'x-claimer',
        onDatagram: (ctx, bytes) => (bytes[0] === 0x58 ? (ctx.reply(new TextEncoder().encode(`claimed by ${ctx.board}`)), true) : false),
      };
      const b = await boot({ udp: '127.0.0.1:0', name: 'dut-1' }, [claimer, ...boardServices]);
      const peer = await udpPeer(b.endpoints.udp!);
      try {
        peer.ask('X marks');
        assert.equal(await within(peer.next(), 5000, 'the claim'), 'claimed by dut-1');
        peer.ask('plain');
        assert.equal(await within(peer.next(), 5000, 'the echo'), 'plain');
      } finally {
        peer.close();
      }
    });
  });

  describe('over the serial console', () => {
    it('runs shell commands: version, echo, uptime, an unknown one', async () => {
      const s = await console_({ name: 'dut-7' });
      s.sendLine('version');
      assert.equal((await s.expect(/^hilrig virtual board v\S+ \(.*\)$/, { timeoutMs: 5000 })).line.text, `hilrig virtual board v${VERSION} (dut-7)`);
      s.sendLine('echo  spaced  out ');
      await s.expect(/^spaced {2}out$/, { timeoutMs: 5000 });
      s.sendLine('uptime');
      const up = await s.expect(/^Uptime: (\d+) ms$/, { timeoutMs: 5000 });
      assert.ok(Number(up.match[1]) < 15000);
      s.sendLine('frobnicate now');
      await s.expect(/^frobnicate: command not found$/, { timeoutMs: 5000 });
    });

    it('prints `log N` lines in order, all of them', async () => {
      const s = await console_();
      s.sendLine('log 2000');
      await s.expect(/log_test: line 2000 of 2000$/, { timeoutMs: 10000 });
      const numbers = s.lines().flatMap((l) => /<inf> log_test: line (\d+) of 2000$/.exec(l.text)?.[1] ?? []).map(Number);
      assert.deepEqual(numbers, Array.from({ length: 2000 }, (_, i) => i + 1));
    });

    it('prints the banner again on reboot, with a fresh uptime, then the prompt', async () => {
      const s = await console_();
      s.sendLine('reboot');
      // the first boot's banner may or may not reach a console attached after it: start after the echo
      await s.expect(/^(uart:~\$ )?reboot$/, { timeoutMs: 5000 });
      const banner = await s.expect(virtualProfile.console.banner!, { timeoutMs: 5000 });
      assert.equal(banner.line.text, `*** Booting hilrig virtual board v${VERSION} ***`);
      await s.expect(/^\[00:00:00\.\d{3},\d{3}\] <inf> board: hilrig-virtual: firmware \S+, boot 2$/, { timeoutMs: 5000 });
      // the prompt has no newline: it arrives as a line after the idle flush
      await s.expect(/^uart:~\$ $/, { timeoutMs: 5000 });
    });

    it('stops answering after `crash`, console and UDP, until `reboot`', async () => {
      const s = await console_({ udp: '127.0.0.1:0' });
      const peer = await udpPeer(running!.endpoints.udp!);
      try {
        s.sendLine('crash');
        await s.expect('***** Kernel Panic! *****', { timeoutMs: 5000 });
        s.sendLine('echo still there');
        peer.ask('unanswered');
        s.sendLine('reboot');
        await s.expect(/<inf> board: hilrig-virtual: firmware \S+, boot 2$/, { timeoutMs: 5000 });
        s.sendLine('echo alive');
        await s.expect(/^alive$/, { timeoutMs: 5000 });
        assert.ok(!s.lines().some((l) => l.text.includes('still there')), 'a crashed board ran a command');
        peer.ask('answered');
        // loopback keeps order: an answer to the first datagram would arrive first
        assert.equal(await within(peer.next(), 5000, 'the echo'), 'answered');
      } finally {
        peer.close();
      }
    });

    it('lets a service claim framed bytes between console lines', async () => {
      // frames are SOH ... EOT; the service answers on the console
      const framer: BoardService = {
        name: 'framer',
        onSerialBytes(ctx, view) {
          if (view[0] !== 0x01) return 0;
          const end = view.indexOf(0x04);
          if (end < 0) return SERIAL_WAIT;
          ctx.print(`frame ${Buffer.from(view.subarray(1, end)).toString('hex')}`);
          return end + 1;
        },
      };
      const s = await console_({}, [framer, ...boardServices]);
      s.write('echo before\r\n\x01ab\x04echo after\r\n');
      await s.expect(/^before$/, { timeoutMs: 5000 });
      await s.expect(/^frame 6162$/, { timeoutMs: 5000 });
      await s.expect(/^after$/, { timeoutMs: 5000 });
      assert.ok(!s.lines().some((l) => l.text.includes('command not found')), s.lines().map((l) => l.text).join('\n'));
    });
  });

  describe('bug modes', () => {
    it('rejects an unknown --bug, naming the valid ones', async () => {
      const board = new VirtualBoard(platform());
      await assert.rejects(board.start({ udp: '127.0.0.1:0', pty: true, bugs: ['echo-truncated', 'no-such-bug'] }), (e: HilrigError) => {
        assert.equal(e.code, 'BAD_OPTION');
        assert.match(e.message, /unknown bug mode "no-such-bug"; valid bug modes: .*\becho-truncated\b/);
        return true;
      });
    });

    it('lists every service\'s bug modes with the rule each breaks', () => {
      const test: BoardService = { name: 'coap-test', bugs: [{ name: 'token-mismatch', rule: 'RFC 7252 §5.3.2: the response token echoes the request token', service: 'coap-test' }] };
      const reg = new VirtualBoard(platform([test, ...boardServices])).bugRegistry;
      const expected = [...boardServices.flatMap((s) => (s.bugs ?? []).map((b) => b.name)), 'token-mismatch'].sort();
      assert.deepEqual(reg.all().map((b) => b.name).sort(), expected);
      assert.match(reg.describe(), /token-mismatch +coap-test: breaks RFC 7252 §5\.3\.2/);
    });

    it('refuses a firmware whose services break the registry rules', () => {
      const mode = (name: string, service = 'a') => ({ name, rule: 'some rule', service });
      const cases: [BoardService[], RegExp][] = [
        [[{ name: 'a', bugs: [mode('Not_Kebab')] }], /not kebab-case/],
        [[{ name: 'a', bugs: [mode('x')] }, { name: 'b', bugs: [mode('x', 'b')] }], /declared by both a and b/],
        [[{ name: 'a', bugs: [mode('x', 'b')] }], /declared by service a but says it belongs to b/],
        [[{ name: 'a' }, { name: 'a' }], /two services are called "a"/],
        [[{ name: 'a', bugs: [{ ...mode('x'), rule: ' ' }] }], /does not say which rule/],
      ];
      for (const [services, msg] of cases) assert.throws(() => new VirtualBoard(platform(services)), msg);
    });
  });
});
