import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { RigConfigError, loadRigFile, parseRig, type RigIssue } from '../../rig/config/load-rig.js';
import { selectBoard, targetToBoard } from '../../rig/config/select-board.js';

const EXAMPLE = fileURLToPath(new URL('../../../boards/examples/rig.yaml', import.meta.url));

const VALID = `version: 1
boards:
  nucleo-l4:
    profile: virtual
    transports:
      console:
        serial: { path: /dev/ttyACM0 }
      coap: { udp: { host: 192.0.2.10, port: 5683 } }
      smp: { udp: { host: 192.0.2.10, port: 1337 } }
    reset: { method: command, command: "openocd -c 'reset run; exit'" }
    flash:
      size: 0x100000
      sectorSize: 4096
      writeSize: 8
      slots:
        primary: { offset: 0x10000, size: 0x70000 }
        secondary: { offset: 0x80000, size: 0x70000 }
    suites: [coap, upload]
  esp32:
    transports:
      console:
        serial: { match: { vid: "10C4", pid: "ea60" }, baud: 921600, flowControl: rtscts }
    reset: { method: dtr-rts, sequence: esptool }
`;

/** VALID with the first line containing `from` replaced by `to`. */
const edit = (from: string, to: string): string => {
  assert.ok(VALID.includes(from), `fixture has no "${from}"`);
  return VALID.replace(from, to);
};

const lineOf = (text: string, needle: string): number => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

function rigError(fn: () => unknown): RigConfigError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof RigConfigError, `expected RigConfigError, got ${String(err)}`);
    return err;
  }
  return assert.fail('expected a RigConfigError');
}

function issueAt(err: RigConfigError, path: string): RigIssue {
  const issue = err.issues.find((i) => i.path === path);
  assert.ok(issue, `no issue at ${path}; issues: ${JSON.stringify(err.issues)}`);
  return issue;
}

describe('rig config: parseRig', () => {
  it('parses two boards and fills defaults', () => {
    const cfg = parseRig(VALID, 'rig.yaml');
    assert.deepEqual(Object.keys(cfg.boards), ['nucleo-l4', 'esp32']);
    const l4 = cfg.boards['nucleo-l4'];
    assert.deepEqual(l4.transports.console, {
      serial: { path: '/dev/ttyACM0', baud: 115200, dataBits: 8, parity: 'none', stopBits: 1, flowControl: 'none' },
    });
    assert.deepEqual(l4.reset, { method: 'command', command: "openocd -c 'reset run; exit'", timeoutMs: 10000 });
    assert.equal(l4.flash?.slots.primary.offset, 0x10000);
    assert.deepEqual(l4.timeouts, { testMs: 30000, bootMs: 5000 });
    const esp = cfg.boards.esp32;
    assert.deepEqual(esp.transports.console?.serial.match, { vid: '10c4', pid: 'ea60' });
    assert.equal(esp.transports.console?.serial.baud, 921600);
    assert.deepEqual(esp.reset, { method: 'dtr-rts', sequence: 'esptool', pulseMs: 100 });
    assert.equal(esp.suites, undefined);
  });

  it('parses the documented example boards/examples/rig.yaml', async () => {
    const cfg = await loadRigFile(EXAMPLE);
    assert.deepEqual(Object.keys(cfg.boards).sort(), ['nucleo-l4', 'sim']);
    assert.equal(cfg.boards.sim.profile, 'virtual');
    assert.ok(cfg.boards.sim.transports.coap && 'udp' in cfg.boards.sim.transports.coap);
    assert.ok(cfg.boards['nucleo-l4'].transports.console?.serial.match?.byId);
  });

  it('reports a misspelt key with a suggestion and its line', () => {
    const text = edit('serial: { path: /dev/ttyACM0 }', 'serial: { path: /dev/ttyACM0, buad: 9600 }');
    const err = rigError(() => parseRig(text, 'rig.yaml'));
    assert.equal(err.code, 'RIG_CONFIG_INVALID');
    assert.equal(err.file, 'rig.yaml');
    const issue = issueAt(err, 'boards.nucleo-l4.transports.console.serial.buad');
    assert.equal(issue.message, 'unknown key "buad"; did you mean "baud"?');
    assert.equal(issue.line, lineOf(text, 'buad'));
    assert.equal(err.issues.length, 1);
  });

  it('reports a wrong type with what was expected and what was found', () => {
    const text = edit('serial: { path: /dev/ttyACM0 }', 'serial: { path: /dev/ttyACM0, baud: fast }');
    const err = rigError(() => parseRig(text, 'rig.yaml'));
    const issue = issueAt(err, 'boards.nucleo-l4.transports.console.serial.baud');
    assert.match(issue.message, /^expected a positive integer.*, got "fast"$/);
    assert.equal(issue.line, lineOf(text, 'baud: fast'));
    assert.equal(
      err.message,
      `rig.yaml: 1 problem:\n  line ${issue.line} boards.nucleo-l4.transports.console.serial.baud: ${issue.message}`,
    );
  });

  it('reports a port out of range', () => {
    const text = edit('port: 1337', 'port: 70000');
    const err = rigError(() => parseRig(text, 'rig.yaml'));
    const issue = issueAt(err, 'boards.nucleo-l4.transports.smp.udp.port');
    assert.equal(issue.message, 'expected a port number 1..65535, got 70000');
    assert.equal(issue.line, lineOf(text, '70000'));
  });

  it('rejects a serial endpoint with both path and match', () => {
    const text = edit('serial: { path: /dev/ttyACM0 }', 'serial: { path: /dev/ttyACM0, match: { byId: usb-x } }');
    const err = rigError(() => parseRig(text, 'rig.yaml'));
    const issue = issueAt(err, 'boards.nucleo-l4.transports.console.serial.match');
    assert.match(issue.message, /exactly one/);
    assert.equal(issue.line, lineOf(text, 'usb-x'));
  });

  it('rejects a slot that ends past the end of flash', () => {
    const text = edit('secondary: { offset: 0x80000, size: 0x70000 }', 'secondary: { offset: 0x80000, size: 0x90000 }');
    const err = rigError(() => parseRig(text, 'rig.yaml'));
    const issue = issueAt(err, 'boards.nucleo-l4.flash.slots.secondary.size');
    assert.equal(issue.message, 'slot ends at 0x110000, past the end of flash (size 0x100000)');
    assert.equal(issue.line, lineOf(text, 'secondary:'));
  });

  it('collects several problems into one error, in file order', () => {
    const text = edit('port: 1337', 'port: 0').replace('writeSize: 8', 'writeSize: 6');
    const err = rigError(() => parseRig(text, 'rig.yaml'));
    assert.equal(err.issues.length, 2);
    const lines = err.message.split('\n');
    assert.equal(lines[0], 'rig.yaml: 2 problems:');
    assert.match(lines[1], /^ {2}line \d+ boards\.nucleo-l4\.transports\.smp\.udp\.port: /);
    assert.match(lines[2], /^ {2}line \d+ boards\.nucleo-l4\.flash\.writeSize: expected .*power of two, got 6$/);
  });

  it('checks cross-field rules: suites need their transport, dtr-rts needs a serial port', () => {
    const text = `version: 1
boards:
  sim:
    transports: { coap: { udp: { host: localhost, port: 5683 } } }
    reset: { method: dtr-rts, sequence: arduino }
    suites: [coap, upload]
`;
    const err = rigError(() => parseRig(text, 'rig.yaml'));
    assert.match(issueAt(err, 'boards.sim.suites[1]').message, /needs transports\.smp/);
    assert.match(issueAt(err, 'boards.sim.reset.method').message, /needs a serial transport/);
  });

  it('points at the anchor for errors in merged settings', () => {
    const text = `version: 1
x-probe: &probe
  transports: { console: { serial: { path: /dev/ttyACM0, parity: evn } } }
boards:
  a: { <<: *probe }
`;
    const issue = issueAt(rigError(() => parseRig(text, 'rig.yaml')), 'boards.a.transports.console.serial.parity');
    assert.match(issue.message, /expected one of "none", "even".*, got "evn"/);
    assert.equal(issue.line, 3);
  });

  it('reports YAML syntax errors with line and column', () => {
    const err = rigError(() => parseRig('version: 1\nboards:\n  a: [1, 2\n  b: 3\n', 'rig.yaml'));
    assert.equal(err.code, 'RIG_YAML_SYNTAX');
    assert.ok(err.issues.length >= 1);
    assert.equal(typeof err.issues[0].line, 'number');
    assert.equal(typeof err.issues[0].column, 'number');
    assert.match(err.message, /^rig\.yaml: \d+ problems?:\n {2}line \d+, column \d+: /);
  });

  it('reports a missing file', async () => {
    const missing = fileURLToPath(new URL('./no-such-rig.yaml', import.meta.url));
    await assert.rejects(loadRigFile(missing), (err: unknown) => {
      assert.ok(err instanceof RigConfigError);
      assert.equal(err.code, 'RIG_FILE_NOT_FOUND');
      assert.equal(err.file, missing);
      assert.match(err.message, /file not found/);
      return true;
    });
  });
});

describe('rig config: selectBoard', () => {
  const cfg = parseRig(VALID, 'rig.yaml');

  it('needs a name when there are several boards, and lists them', () => {
    const err = rigError(() => selectBoard(cfg));
    assert.equal(err.code, 'RIG_CONFIG_INVALID');
    assert.match(err.message, /"nucleo-l4", "esp32"/);
  });

  it('picks by name, or the only board', () => {
    assert.equal(selectBoard(cfg, 'esp32').board, cfg.boards.esp32);
    const one = parseRig(VALID.slice(0, VALID.indexOf('  esp32:')), 'rig.yaml');
    assert.equal(selectBoard(one).name, 'nucleo-l4');
  });

  it('suggests a close name for an unknown board', () => {
    assert.match(rigError(() => selectBoard(cfg, 'nucleo-l5')).message, /did you mean "nucleo-l4"/);
  });
});

describe('rig config: targetToBoard', () => {
  it('udp:// is CoAP over UDP', () => {
    const { name, board } = targetToBoard('udp://127.0.0.1:5683');
    assert.equal(name, 'target');
    assert.deepEqual(board.transports, { coap: { udp: { host: '127.0.0.1', port: 5683 } } });
    assert.deepEqual(board.reset, { method: 'none' });
    assert.deepEqual(targetToBoard('udp://[::1]:5683').board.transports.coap, { udp: { host: '::1', port: 5683 } });
  });

  it('serial:// is the console port, with line settings from the query', () => {
    const { board } = targetToBoard('serial:///dev/ttyACM0?baud=115200&parity=even');
    assert.deepEqual(board.transports.console, {
      serial: { path: '/dev/ttyACM0', baud: 115200, dataBits: 8, parity: 'even', stopBits: 1, flowControl: 'none' },
    });
  });

  it('coap+serial:// is CoAP over slipmux on that port', () => {
    const { board } = targetToBoard('coap+serial:///dev/ttyUSB0?baud=115200');
    const coap = board.transports.coap;
    assert.ok(coap && 'slipmux' in coap);
    assert.equal(coap.slipmux.serial.path, '/dev/ttyUSB0');
    assert.equal(coap.slipmux.serial.baud, 115200);
    assert.equal(board.transports.console, undefined);
  });

  const bad: [url: string, path: string, message: RegExp][] = [
    ['tcp://127.0.0.1:5683', 'scheme', /unsupported scheme "tcp"; expected one of udp:\/\/HOST:PORT/],
    ['seral:///dev/ttyACM0', 'scheme', /did you mean "serial"/],
    ['udp://127.0.0.1', 'port', /missing port; expected udp:\/\/HOST:PORT/],
    ['udp://127.0.0.1:0', 'port', /expected a port number 1\.\.65535, got "0"/],
    ['udp://::1:5683', 'host', /IPv6 addresses need brackets/],
    ['serial://dev/ttyACM0', 'path', /three slashes/],
    ['serial:///dev/ttyACM0?buad=9600', 'query.buad', /did you mean "baud"/],
    ['serial:///dev/ttyACM0?baud=fast', 'query.baud', /expected a positive integer.*, got "fast"/],
    ['/dev/ttyACM0', '', /expected SCHEME:\/\//],
  ];
  for (const [url, path, message] of bad) {
    it(`rejects ${url}`, () => {
      const err = rigError(() => targetToBoard(url));
      assert.equal(err.code, 'RIG_CONFIG_INVALID');
      assert.equal(err.file, url);
      assert.ok(err.message.startsWith(`${url}: `));
      assert.match(issueAt(err, path).message, message);
    });
  }
});
