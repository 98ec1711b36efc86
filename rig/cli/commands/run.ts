// `hilrig run`: pick the board (rig file, --target URL, or the virtual board in this process),
// run the conformance suites against it, print a line per test and a summary, and leave
// results.json, junit.xml and the traces in the output folder.
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { usage, usageError } from '../cli-support.js';
import { Exit } from '../exit-codes.js';

export const help = `hilrig run: run conformance suites against a board

Usage:
  hilrig run --rig rig.yaml [--board NAME] [options]
  hilrig run --target URL [options]
  hilrig run --virtual [--bug NAME]... [--speed N] [options]

Board selection:
  --rig FILE        the rig description (boards, transports, reset, flash geometry)
  --board NAME      which board of the rig file (may be left out when it has one board)
  --target URL      a board without a rig file: coap://HOST[:PORT] or udp://HOST:PORT (CoAP over
                    UDP), coap+serial:///dev/ttyUSB0?baud=115200 (CoAP over slipmux)
  --virtual         start the built-in virtual board in this process (UDP on 127.0.0.1, any free
                    port) and run against it: no hardware, no system package needed
  --bug NAME        with --virtual: break one rule on purpose (repeatable; see hilrig sim --help)
  --speed N         with --virtual: run the board's and the rig's clock N times faster than real
                    time (default 50; 1 is real time). CoAP's timers keep their RFC values in
                    clock time, so a silent board is still given its 93 s, in 93/N s.

Options:
  --suite LIST      suites to run, comma separated: installed names (coap, smoke), or paths to a
                    .js spec file or a folder of them (the .js files directly in it; helpers go in
                    subfolders) of your own (default: the board's suites in the rig file, else coap)
  --grep PATTERN    only tests whose id or title matches (a regular expression)
  --out DIR         where results go (default results/<timestamp>/, and results/latest)
  --bail            stop after the first test that fails or errors
  --timeout MS      per-test timeout in wall-clock ms (default: the rig file's timeouts.testMs,
                    else 30000; raised when below what CoAP needs to give up on a silent board)
  -h, --help        this text

Outputs (in the --out folder): results.json (rewritten after every test), junit.xml,
trace.pcapng and trace.jsonl (every byte on the rig's links), console.jsonl (the virtual
board's console).

Exit codes: 0 all passed (inconclusive allowed), 1 a test failed, 2 usage or config error,
3 rig or link error (a test ended in error, none failed).

Examples:
  hilrig run --virtual
  hilrig run --virtual --bug ack-wrong-mid --suite smoke
  hilrig run --target udp://127.0.0.1:5683 --suite coap --grep CORE_0
  hilrig run --rig boards/examples/rig.yaml --board sim
`;

interface RunArgs {
  rig?: string;
  board?: string;
  target?: string;
  virtual: boolean;
  bugs: string[];
  speed?: number;
  suites?: string[];
  grep?: string;
  out?: string;
  bail: boolean;
  timeoutMs?: number;
}

/** The parsed command line, or the usage problem as a string. */
function parseRunArgs(argv: string[]): RunArgs | 'help' | string {
  const { values } = parseArgs({
    args: argv,
    options: {
      rig: { type: 'string' },
      board: { type: 'string' },
      target: { type: 'string' },
      virtual: { type: 'boolean' },
      bug: { type: 'string', multiple: true },
      speed: { type: 'string' },
      suite: { type: 'string' },
      grep: { type: 'string' },
      out: { type: 'string' },
      bail: { type: 'boolean' },
      timeout: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  const chosen = [values.rig !== undefined, values.target !== undefined, values.virtual === true].filter(Boolean).length;
  if (chosen === 0) return 'name a board: --rig FILE [--board NAME], --target URL or --virtual';
  if (chosen > 1) return '--rig, --target and --virtual are alternatives; give one';
  if (values.board !== undefined && values.rig === undefined) return '--board picks a board of a rig file: use it with --rig';
  if (values.bug !== undefined && !values.virtual) return '--bug applies to the built-in board: use it with --virtual';
  if (values.speed !== undefined && !values.virtual) return '--speed applies to the built-in board: use it with --virtual';
  const speed = values.speed === undefined ? undefined : Number(values.speed);
  if (speed !== undefined && !(Number.isFinite(speed) && speed > 0 && speed <= 1000)) return `--speed expects a number from 0 to 1000 (1 is real time), got "${values.speed}"`;
  const timeout = values.timeout === undefined ? undefined : Number(values.timeout);
  if (timeout !== undefined && !(Number.isInteger(timeout) && timeout > 0)) return `--timeout expects whole milliseconds > 0, got "${values.timeout}"`;
  const suites = values.suite?.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (suites !== undefined && suites.length === 0) return '--suite expects a comma-separated list of suite names or paths';
  return {
    rig: values.rig,
    board: values.board,
    target: values.target,
    virtual: values.virtual === true,
    bugs: values.bug ?? [],
    speed,
    suites,
    grep: values.grep,
    out: values.out,
    bail: values.bail === true,
    timeoutMs: timeout,
  };
}

export async function run(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parseRunArgs>;
  try {
    args = parseRunArgs(argv);
  } catch (e) {
    return usage('run', usageError(e));
  }
  if (args === 'help') {
    process.stdout.write(help);
    return Exit.OK;
  }
  if (typeof args === 'string') return usage('run', args);
  const { prepareBoard } = await import('../../runner/cli-board.js');
  const prepared = await prepareBoard(args);
  if (typeof prepared === 'number') return prepared;
  try {
    const { runFromCli } = await import('../../runner/cli-run.js');
    return await runFromCli(prepared, {
      suites: args.suites,
      grep: args.grep,
      out: args.out === undefined ? undefined : path.resolve(args.out),
      bail: args.bail,
      timeoutMs: args.timeoutMs,
    });
  } finally {
    await prepared.close();
  }
}
