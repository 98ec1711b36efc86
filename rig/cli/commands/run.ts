// `hilrig run`: pick the board (rig file or --target), then run the conformance suites against it.
// The suites arrive with their own issues; until one is installed this validates the board
// description and says plainly that there is nothing to run (exit 2).
import { parseArgs } from 'node:util';
import { usage, usageError } from '../cli-support.js';
import { Exit } from '../exit-codes.js';

export const help = `hilrig run: run conformance suites against a board

Usage:
  hilrig run --rig rig.yaml [--board NAME] [options]
  hilrig run --target URL [options]
  hilrig run --virtual [--bug NAME]... [options]

Board selection:
  --rig FILE        the rig description (boards, transports, reset, flash geometry)
  --board NAME      which board of the rig file (may be left out when it has one board)
  --target URL      a board without a rig file: udp://HOST:PORT (CoAP over UDP),
                    serial:///dev/ttyACM0?baud=115200, coap+serial:///dev/ttyUSB0?baud=115200 (slipmux)
  --virtual         start the built-in virtual board in this process (UDP on 127.0.0.1, any free
                    port) and run against it: no hardware, no system package needed
  --bug NAME        with --virtual: break one rule on purpose (repeatable; see hilrig sim --help)

Options:
  --suite LIST      suites to run, comma separated (default: the board's suites)
  --grep PATTERN    only tests whose id or title matches
  --out DIR         where results go (default results/<timestamp>/)
  --bail            stop at the first failed test
  --timeout MS      per-test timeout (default 30000)
  -h, --help        this text

Exit codes: 0 all passed, 1 a test failed, 2 usage or config error, 3 rig or link error.

Examples:
  hilrig run --target udp://127.0.0.1:5683 --suite coap
  hilrig run --rig boards/examples/rig.yaml --board sim
  hilrig run --virtual
`;

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        rig: { type: 'string' },
        board: { type: 'string' },
        target: { type: 'string' },
        virtual: { type: 'boolean' },
        bug: { type: 'string', multiple: true },
        suite: { type: 'string' },
        grep: { type: 'string' },
        out: { type: 'string' },
        bail: { type: 'boolean' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    return usage('run', usageError(e));
  }
  if (values.help) {
    process.stdout.write(help);
    return Exit.OK;
  }
  const chosen = [values.rig !== undefined, values.target !== undefined, values.virtual === true].filter(Boolean).length;
  if (chosen === 0) return usage('run', 'name a board: --rig FILE [--board NAME], --target URL or --virtual');
  if (chosen > 1) return usage('run', '--rig, --target and --virtual are alternatives; give one');
  if (values.bug !== undefined && !values.virtual) return usage('run', '--bug applies to the built-in board: use it with --virtual');
  if (values.virtual) return runVirtual(values.bug ?? []);
  if (values.timeout !== undefined && !(Number(values.timeout) > 0)) {
    process.stderr.write(`hilrig run: --timeout expects milliseconds > 0, got "${values.timeout}".\n`);
    return Exit.USAGE;
  }
  const { loadRigFile, RigConfigError } = await import('../../config/load-rig.js');
  const { selectBoard, targetToBoard } = await import('../../config/select-board.js');
  let board: { name: string };
  try {
    board = values.target !== undefined ? targetToBoard(values.target) : selectBoard(await loadRigFile(values.rig!), values.board, values.rig);
  } catch (e) {
    if (e instanceof RigConfigError) {
      process.stderr.write(`hilrig run: ${e.message}\n`);
      return Exit.USAGE;
    }
    throw e;
  }
  process.stderr.write(`hilrig run: board "${board.name}" is valid, but no conformance suites are installed yet: nothing to run.\n`);
  return Exit.USAGE;
}

/** Boot the virtual board in-process, point the run at its UDP endpoint, stop it afterwards. */
async function runVirtual(bugs: string[]): Promise<number> {
  const { VirtualBoard } = await import('../../../boards/virtual/virtual-board.js');
  const { defaultDrivers } = await import('../../../drivers/index.js');
  const { HilrigError } = await import('../../engine/errors.js');
  let running;
  try {
    running = await new VirtualBoard({ drivers: defaultDrivers }).start({ udp: '127.0.0.1:0', bugs });
  } catch (e) {
    if (e instanceof HilrigError && e.code === 'BAD_OPTION') return usage('run', e.message);
    throw e;
  }
  try {
    process.stderr.write(`hilrig run: virtual board up at ${running.endpoints.udp}, but no conformance suites are installed yet: nothing to run.\n`);
    return Exit.USAGE;
  } finally {
    await running.stop();
  }
}
