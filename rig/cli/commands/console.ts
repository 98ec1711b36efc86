// `hilrig console`: attach to a board's console, print each line with its arrival time, append
// it to a JSONL trace, and optionally wait for a pattern (for scripts: "did the board boot?").
import { parseArgs } from 'node:util';
import { type BoardProfile, findProfile, knownProfiles } from '../../../boards/profiles/index.js';
import { ConsoleJsonlWriter } from '../../../reports/trace/console-jsonl.js';
import { PcapngTraceWriter } from '../../../reports/trace/pcapng-writer.js';
import { type CapturedLine, ConsoleSession } from '../../console/console-session.js';
import { describePattern, parsePatternArg, type Pattern } from '../../console/patterns.js';
import { resetFromConsole } from '../../console/reset-board.js';
import { describeError, HilrigError, Manager } from '../../index.js';
import { Exit } from '../exit-codes.js';
import { usage, usageError, waitForSignal } from '../cli-support.js';

export const help = `usage: hilrig console URL [--jsonl FILE] [--pcap FILE] [--expect PATTERN [--timeout MS]] [--send TEXT]... [--board NAME [--reset]]

Attach to a board's console and print every line as it arrives, stamped with its local
arrival time (12:00:01.234567 | text). Lines end at \\n, \\r\\n or a lone \\r; a prompt
without a line end is printed after 100 ms of quiet. Without --expect it runs until Ctrl-C.

URL:  serial:///dev/ttyACM0?baud=115200   (also dataBits, parity, stopBits, flow, mode=8N1)
      tcp://HOST:PORT                      (a console behind a TCP bridge)

options:
  --jsonl FILE      append one JSON object per line to FILE: ts (ISO-8601, µs), tsNs, board,
                    text, and hex (raw bytes) when a line is not valid UTF-8 (default: none)
  --pcap FILE       record the port's raw bytes, both directions, as pcapng for Wireshark:
                    one packet per chunk read or written, slipmux and SMP frames named in
                    packet comments; FILE is created or replaced (default: none)
  --expect PATTERN  exit 0 as soon as a line contains PATTERN; /REGEX/flags for a regular
                    expression (default: none, run until Ctrl-C)
  --timeout MS      how long --expect waits (default 10000); on timeout exit 3
  --send TEXT       type TEXT and Enter (\\r\\n) after attaching; repeat for several lines
  --board NAME      the board's profile: its name labels the JSONL records, and it says how
                    --reset works (known: ${knownProfiles().join(', ')}; default: none)
  --reset           reset the board right after attaching, so its boot banner is captured
                    (needs --board; the virtual board is reset by typing \`reboot\`)
  -h, --help        show this help

Why --reset: what a board prints before the port is opened is normally lost (opening a
serial port flushes its input queue), and a pty has no DTR line whose toggle would reset
the board.

exit codes: 0 the pattern was seen (without --expect: stopped by Ctrl-C), 2 bad options,
3 the port failed or vanished, the pattern did not appear in time, or Ctrl-C came first.

examples:
  hilrig console serial:///dev/ttyACM0?baud=115200 --jsonl console.jsonl
  hilrig console serial:///dev/pts/7 --board virtual --reset --expect 'Booting hilrig' --timeout 5000
  hilrig console serial:///dev/pts/7 --send 'log 1000' --expect '/line 1000 of 1000$/'
  hilrig console serial:///dev/ttyACM0?baud=115200 --pcap console.pcapng   (then: wireshark console.pcapng)
`;

interface ConsoleArgs {
  url: string;
  jsonl?: string;
  pcap?: string;
  expect?: Pattern;
  timeoutMs: number;
  send: string[];
  board?: BoardProfile;
  reset: boolean;
}

export async function run(argv: string[]): Promise<number> {
  let args: ConsoleArgs | 'help';
  let jsonl: ConsoleJsonlWriter | undefined;
  try {
    args = parseConsoleArgs(argv);
  } catch (e) {
    return usage('console', usageError(e));
  }
  if (args !== 'help' && args.jsonl) {
    try {
      jsonl = ConsoleJsonlWriter.open(args.jsonl);
    } catch (e) {
      return usage('console', `--jsonl ${args.jsonl}: ${describeError(e)}`);
    }
  }
  if (args === 'help') {
    process.stdout.write(help);
    return Exit.OK;
  }
  let pcap: PcapngTraceWriter | undefined;
  if (args.pcap) {
    try {
      pcap = PcapngTraceWriter.open(args.pcap, { comment: `hilrig console ${args.url}` });
    } catch (e) {
      jsonl?.close();
      return usage('console', `--pcap ${args.pcap}: ${describeError(e)}`);
    }
  }
  const mgr = new Manager();
  // subscribed before the port opens, so the trace has every byte from the first
  pcap?.subscribe(mgr.tap);
  try {
    return await attachAndWatch(mgr, args, jsonl);
  } catch (e) {
    const code = e instanceof HilrigError && (e.code === 'BAD_URL' || e.code === 'NO_DRIVER') ? Exit.USAGE : Exit.RIG_ERROR;
    process.stderr.write(`hilrig console: ${describeError(e)}\n`);
    return code;
  } finally {
    await mgr.shutdown();
    jsonl?.close();
    pcap?.close();
  }
}

async function attachAndWatch(mgr: Manager, args: ConsoleArgs, jsonl: ConsoleJsonlWriter | undefined): Promise<number> {
  // listening first: Ctrl-C while the port opens must still close it
  const stop = waitForSignal();
  try {
    const session = await ConsoleSession.attach(mgr, args.url, { label: args.board?.name ?? args.url, jsonl });
    session.onLine(printLine);
    if (args.reset && args.board) await resetFromConsole(session, args.board);
    for (const text of args.send) session.sendLine(text);

    const signal = stop.signalled.then((sig) => ({ kind: 'signal' as const, sig }));
    if (args.expect !== undefined) {
      // a timeout or a vanished port rejects the expect: reported by run(), exit 3
      const seen = session.expect(args.expect, { timeoutMs: args.timeoutMs }).then(() => ({ kind: 'seen' as const }));
      const r = await Promise.race([seen, signal]);
      if (r.kind === 'signal') throw new HilrigError('IO_ERROR', `stopped by ${r.sig} before a line matching ${describePattern(args.expect)} appeared`);
      await session.close();
      return Exit.OK;
    }
    const ended = session.closed.then((reason) => ({ kind: 'closed' as const, reason }));
    const r = await Promise.race([ended, signal]);
    if (r.kind === 'signal') return Exit.OK;
    throw session.error ?? new HilrigError('IO_ERROR', `${args.url}: the console closed: ${r.reason}`);
  } finally {
    stop.dispose();
  }
}

function parseConsoleArgs(argv: string[]): ConsoleArgs | 'help' {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      jsonl: { type: 'string' },
      pcap: { type: 'string' },
      expect: { type: 'string' },
      timeout: { type: 'string' },
      send: { type: 'string', multiple: true },
      board: { type: 'string' },
      reset: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) return 'help';
  if (positionals.length !== 1) throw new TypeError(positionals.length === 0 ? 'the console URL is missing, e.g. serial:///dev/ttyACM0?baud=115200' : `one URL only, got ${positionals.join(' ')}`);
  const url = positionals[0]!;
  if (url.startsWith('/')) throw new TypeError(`${url} is a path, not a URL; did you mean serial://${url}?`);
  if (!/^[a-z][a-z0-9+.-]*:/i.test(url)) throw new TypeError(`${url}: expected a URL such as serial:///dev/ttyACM0?baud=115200`);
  const timeoutMs = values.timeout === undefined ? 10_000 : Number(values.timeout);
  if (!(Number.isInteger(timeoutMs) && timeoutMs > 0)) throw new TypeError(`--timeout ${values.timeout}: expected a whole number of milliseconds > 0`);
  if (values.timeout !== undefined && values.expect === undefined) throw new TypeError('--timeout applies to --expect only');
  let board: BoardProfile | undefined;
  if (values.board !== undefined) {
    board = findProfile(values.board);
    if (!board) throw new TypeError(`--board ${values.board}: unknown board profile; known: ${knownProfiles().join(', ')}`);
  }
  if (values.reset && !board) throw new TypeError(`--reset needs --board NAME to know how to reset the board (e.g. --board virtual for hilrig sim)`);
  let expect: Pattern | undefined;
  if (values.expect !== undefined) {
    try {
      expect = parsePatternArg(values.expect);
    } catch (e) {
      throw new TypeError(`--expect ${values.expect}: ${describeError(e)}`);
    }
    if (values.expect === '') throw new TypeError('--expect needs a non-empty pattern');
  }
  return { url, jsonl: values.jsonl, pcap: values.pcap, expect, timeoutMs, send: values.send ?? [], board, reset: values.reset ?? false };
}

/** `12:00:01.234567 | text`, in local time. */
function printLine(l: CapturedLine): void {
  const d = new Date(Number(l.tsNs / 1_000_000n));
  const two = (n: number): string => String(n).padStart(2, '0');
  const micros = ((l.tsNs / 1000n) % 1_000_000n).toString().padStart(6, '0');
  process.stdout.write(`${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${micros} | ${l.text}\n`);
}



