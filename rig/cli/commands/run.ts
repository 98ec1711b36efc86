// `hilrig run`: pick the board (rig file or --target), then run the conformance suites against it.
// The suites arrive with their own issues; until one is installed this validates the board
// description and says plainly that there is nothing to run (exit 2).
import { parseArgs } from 'node:util';
import { Exit } from '../exit-codes.js';

export const help = `hilrig run: run conformance suites against a board

Usage:
  hilrig run --rig rig.yaml [--board NAME] [options]
  hilrig run --target URL [options]

Board selection:
  --rig FILE        the rig description (boards, transports, reset, flash geometry)
  --board NAME      which board of the rig file (may be left out when it has one board)
  --target URL      a board without a rig file: udp://HOST:PORT (CoAP over UDP),
                    serial:///dev/ttyACM0?baud=115200, coap+serial:///dev/ttyUSB0?baud=115200 (slipmux)

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
  hilrig run --rig boards/examples/rig.yaml --board virtual
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
    process.stderr.write(`hilrig run: ${(e as Error).message}\nSee hilrig run --help.\n`);
    return Exit.USAGE;
  }
  if (values.help) {
    process.stdout.write(help);
    return Exit.OK;
  }
  if (values.rig === undefined && values.target === undefined) {
    process.stderr.write('hilrig run: name a board: --rig FILE [--board NAME] or --target URL. See hilrig run --help.\n');
    return Exit.USAGE;
  }
  if (values.rig !== undefined && values.target !== undefined) {
    process.stderr.write('hilrig run: --rig and --target are alternatives; give one.\n');
    return Exit.USAGE;
  }
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
