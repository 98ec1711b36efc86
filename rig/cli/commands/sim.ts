// `hilrig sim`: run the virtual board in this process, on UDP and/or a serial pty, so the rig
// (and any other tool) can be pointed at a board without hardware. Scripts wait for the one
// `ready ...` line, use the endpoints it names, and stop the board with SIGTERM.
import { parseArgs } from 'node:util';
import { BugRegistry } from '../../../boards/virtual/bug-modes.js';
import { DEFAULT_COAP_SERVER_OPTIONS } from '../../../boards/virtual/coap/coap-server.js';
import { coapService, createCoapService } from '../../../boards/virtual/services/coap.js';
import { boardServices } from '../../../boards/virtual/services/index.js';
import { VirtualBoard, type RunningBoard } from '../../../boards/virtual/virtual-board.js';
import { defaultDrivers } from '../../../drivers/index.js';
import { createPtyPair } from '../../../drivers/serial/pty-pair.js';
import { describeError, HilrigError } from '../../engine/index.js';
import { Exit } from '../exit-codes.js';
import { usage, usageError } from '../cli-support.js';

export const help = `usage: hilrig sim [--udp HOST:PORT | --no-udp] [--pty | --serial PATH] [--bug NAME]... [--name NAME] [--coap-max-body BYTES]
                 [--power-cut-at BYTES]

Run the hilrig virtual board: a firmware on hilrig's own engine with a UART-style shell on
its serial console and services on UDP. It prints its console lines (boot banner, logs,
command output) on stdout as well, then exactly one line naming what the rig should open:

  ready udp://127.0.0.1:5683 serial:///dev/pts/7

It runs until SIGINT or SIGTERM, then closes its links, stops socat and exits 0.

options:
  --udp HOST:PORT   listen for UDP there (default 127.0.0.1:5683; port 0 takes a free port,
                    which the ready line names)
  --no-udp          no UDP listener
  --pty             make a linked pty pair with socat: the board opens one end, the ready
                    line names the other (needs socat: apt-get install socat)
  --serial PATH     put the board's console on an existing serial port instead
                    (e.g. one end of your own socat pair; the ready line cannot name the other)
  --baud N          baud rate for --serial (default 115200)
  --bug NAME        turn on a bug mode; repeat for several (default: none)
  --name NAME       the board's name in its boot log (default hilrig-virtual)
  --coap-max-body BYTES
                    the largest body a CoAP Block1 or Q-Block1 upload may have; a larger one is
                    answered 4.13 with Size1 (default ${DEFAULT_COAP_SERVER_OPTIONS.maxBodyBytes})
  --power-cut-at BYTES
                    cut the power after BYTES more bytes are programmed into the board's flash
                    (an SMP image upload): the board resets mid-write, as after a brown-out, and
                    keeps what landed; the cut image must not become bootable (default: no cut)
  -h, --help        show this help

bug modes (each makes the board break one rule, to check that the rig catches it):
${new BugRegistry(boardServices).describe('  ')}
The boot banner is printed before the rig attaches, and opening a serial port flushes what
waits in it, so a console attached later may not see it: attach with
\`hilrig console URL --board virtual --reset\`, which types \`reboot\` so the board boots again
while the console listens.

exit codes: 0 stopped by a signal, 2 bad options, 3 a link could not be opened or died.

examples:
  hilrig sim --pty
  hilrig sim --pty --udp 127.0.0.1:0 --bug echo-truncated
  hilrig sim --pty --udp 127.0.0.1:0 --power-cut-at 40000
  hilrig console serial:///dev/pts/7 --board virtual --reset --expect 'Booting hilrig'
`;

interface SimArgs {
  udp: string | false;
  pty: boolean;
  serial?: string;
  baud: number;
  bugs: string[];
  name: string;
  /** the CoAP service's upload limit, when not the default */
  coapMaxBody?: number;
  /** bytes programmed into the flash before the power is cut */
  powerCutAt?: number;
}

export async function run(argv: string[]): Promise<number> {
  let args: SimArgs | 'help';
  try {
    args = parseSimArgs(argv);
  } catch (e) {
    return usage('sim', usageError(e));
  }
  if (args === 'help') {
    process.stdout.write(help);
    return Exit.OK;
  }
  const coapMaxBody = args.coapMaxBody;
  // the firmware image with its CoAP service rebuilt for another upload limit (same routing order)
  const services = coapMaxBody === undefined ? undefined : boardServices.map((s) => (s === coapService ? createCoapService({ maxBodyBytes: coapMaxBody }) : s));
  const board = new VirtualBoard({ drivers: defaultDrivers, openPty: () => createPtyPair(), services });
  try {
    board.bugRegistry.resolve(args.bugs);
  } catch (e) {
    return usage('sim', describeError(e));
  }

  // Listening before start: a signal while socat is starting must still stop socat.
  const signals = waitForStop();
  let running: RunningBoard;
  try {
    running = await board.start({
      name: args.name,
      udp: args.udp,
      pty: args.pty,
      serialPath: args.serial,
      baud: args.baud,
      bugs: args.bugs,
      powerCutAt: args.powerCutAt,
      onConsoleLine: (text) => process.stdout.write(`${text}\n`),
      onLinkLost: (reason) => signals.stop(`link lost: ${reason}`),
    });
  } catch (e) {
    signals.dispose();
    process.stderr.write(`hilrig sim: ${describeError(e)}\n`);
    return e instanceof HilrigError ? Exit.RIG_ERROR : Exit.USAGE;
  }
  const { udp, serial } = running.endpoints;
  process.stdout.write(`${['ready', udp, serial].filter(Boolean).join(' ')}\n`);

  const why = await signals.stopped;
  signals.dispose();
  await running.stop();
  if (why.startsWith('link lost')) {
    process.stderr.write(`hilrig sim: ${why}\n`);
    return Exit.RIG_ERROR;
  }
  return Exit.OK;
}

function parseSimArgs(argv: string[]): SimArgs | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      udp: { type: 'string' },
      'no-udp': { type: 'boolean' },
      pty: { type: 'boolean' },
      serial: { type: 'string' },
      baud: { type: 'string' },
      bug: { type: 'string', multiple: true },
      name: { type: 'string' },
      'coap-max-body': { type: 'string' },
      'power-cut-at': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  if (values.udp !== undefined && values['no-udp']) throw new TypeError('give --udp HOST:PORT or --no-udp, not both');
  if (values.pty && values.serial !== undefined) throw new TypeError('give --pty or --serial PATH, not both');
  if (values['no-udp'] && !values.pty && values.serial === undefined) throw new TypeError('nothing to serve: with --no-udp, give --pty or --serial PATH');
  const baud = values.baud === undefined ? 115200 : Number(values.baud);
  if (!(Number.isInteger(baud) && baud > 0)) throw new TypeError(`--baud ${values.baud}: expected a whole number of bits per second, e.g. 115200`);
  if (values.baud !== undefined && values.serial === undefined) throw new TypeError('--baud applies to --serial PATH only');
  const name = values.name ?? 'hilrig-virtual';
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) throw new TypeError(`--name ${name}: use letters, digits, '-', '_' and '.'`);
  const maxBody = values['coap-max-body'];
  const coapMaxBody = maxBody === undefined ? undefined : byteCount('--coap-max-body', maxBody);
  const cut = values['power-cut-at'];
  if (cut !== undefined && !(/^\d+$/.test(cut) && Number.isSafeInteger(Number(cut)))) {
    throw new TypeError(`--power-cut-at ${cut}: expected a whole number of bytes, e.g. 40000 (0: the next write lands nothing)`);
  }
  return {
    udp: values['no-udp'] ? false : parseHostPort(values.udp ?? '127.0.0.1:5683'),
    pty: values.pty ?? false,
    serial: values.serial,
    baud,
    bugs: values.bug ?? [],
    name,
    coapMaxBody,
    powerCutAt: cut === undefined ? undefined : Number(cut),
  };
}

/** A whole number of bytes > 0, e.g. an upload limit. */
function byteCount(opt: string, arg: string): number {
  const n = Number(arg);
  if (!/^\d+$/.test(arg) || !Number.isSafeInteger(n) || n === 0) throw new TypeError(`${opt} ${arg}: expected a whole number of bytes > 0, e.g. 1048576`);
  return n;
}

/** `HOST:PORT` (or `udp://HOST:PORT`, `[::1]:PORT`), port 0..65535. */
function parseHostPort(arg: string): string {
  const m = /^(?:udp:\/\/)?(\[[0-9a-fA-F:.]+\]|[^:/[\]]+):(\d{1,5})$/.exec(arg);
  if (!m || Number(m[2]) > 65535) throw new TypeError(`--udp ${arg}: expected HOST:PORT, e.g. 127.0.0.1:5683 (port 0: any free port)`);
  return `${m[1]}:${m[2]}`;
}

/** Resolves on SIGINT/SIGTERM or on stop(reason); dispose() removes the signal handlers. */
function waitForStop(): { stopped: Promise<string>; stop(reason: string): void; dispose(): void } {
  let stop!: (reason: string) => void;
  const stopped = new Promise<string>((resolve) => (stop = resolve));
  const onSignal = (sig: NodeJS.Signals): void => stop(sig);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    stopped,
    stop,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}


