// `hilrig upload`: one file to one board, streamed from disk, with a progress bar, resume and
// a check at the end. The work is in rig/upload/; this file parses the command line and
// turns the outcome into a summary and an exit code.
import { parseArgs } from 'node:util';
import { usage, usageError as parseArgsMessage } from '../cli-support.js';
import { Exit } from '../exit-codes.js';

export const help = `hilrig upload: send a firmware image (or any file) to a board

Usage: hilrig upload --target URL [--protocol smp|xmodem|ymodem|coap] [options] FILE

Targets and protocols:
  serial:///dev/ttyACM0?baud=115200   SMP over the serial console (mcumgr's serial framing),
                                      or XMODEM / YMODEM with --protocol xmodem|ymodem
  udp://HOST[:PORT]                   SMP over UDP (port 1337 by default)
  coap://HOST[:PORT]/PATH             CoAP PUT with Block1 (RFC 7959) or Q-Block1 (--qblock),
  coap+serial:///dev/ttyX/PATH?baud=N   then GET to read it back and compare
  The protocol defaults to smp for serial:// and udp://, coap for coap://.

Options:
  -t, --target URL        the board (required)
  -p, --protocol NAME     smp, xmodem, ymodem or coap (default: from the target, see above)
  -c, --chunk N           smp: data bytes per request (default: sized from the board's MCUmgr
                          parameters buf_size, else 128); xmodem: block size 128 or 1024 (default
                          1024); coap: block size 16..1024 (default 1024)
  -w, --window N          smp: requests in flight, 1..64 (default: the board's buf_count - 1, at
                          most 16; 1 when the board does not say)
      --raw               smp: send a file that is not an MCUboot image (default: refused)
      --resource PATH     coap: the resource to PUT to, when the target URL has no path
      --qblock            coap: Q-Block1 bursts (RFC 9177), Block1 if the server lacks it
      --timeout MS        how long to wait for each answer (default: smp 5000, the first chunk 4x;
                          xmodem 10000 per block; coap: CoAP's own retransmission limits)
      --reconnect S       smp: how long a lost link may take to come back, each time (default 30)
      --progress MODE     auto (a bar on a terminal, a line every 10% otherwise), bar, lines, none
                          (default auto)
  -v, --verbose           smp over serial: show the board's console text
  -h, --help              this text

What happens (smp): the file must be an MCUboot image (header magic 0x96f3b83d, a SHA-256 TLV
that matches it) unless --raw. Chunks go in a window; an answer whose "off" differs from ours
means "continue from there". When the port vanishes or the board goes silent, the link is
reopened (retrying for --reconnect seconds) and the first chunk is sent again with the file's
sha: the board answers how far it got, or 0 to start over. At the end, the board's image list
must show the image's hash in slot 1. Prints goodput: file bytes per second.

Exit codes: 0 uploaded and verified (or nothing to verify: said so), 1 the board refused the
upload or holds something else afterwards, 2 usage (bad option, missing file, not an image),
3 the link failed (port missing, no answer, lost for longer than --reconnect).

Examples:
  hilrig upload --target serial:///dev/ttyACM0?baud=115200 build/zephyr/zephyr.signed.bin
  hilrig upload --target udp://192.0.2.7 --window 8 app.signed.bin
  hilrig upload --target serial:///dev/ttyUSB0?baud=115200 --protocol ymodem firmware.bin
  hilrig upload --target coap://127.0.0.1/large-update --qblock blob.bin
`;

export async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        target: { type: 'string', short: 't' },
        protocol: { type: 'string', short: 'p' },
        chunk: { type: 'string', short: 'c' },
        window: { type: 'string', short: 'w' },
        raw: { type: 'boolean' },
        resource: { type: 'string' },
        qblock: { type: 'boolean' },
        timeout: { type: 'string' },
        reconnect: { type: 'string' },
        progress: { type: 'string' },
        verbose: { type: 'boolean', short: 'v' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    return usage('upload', parseArgsMessage(e));
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    process.stdout.write(help);
    return Exit.OK;
  }
  const { UPLOAD_PROTOCOLS, protocolForTarget, upload, describeSummary } = await import('../../upload/upload.js');
  const { PROGRESS_MODES, progressFor } = await import('../../upload/progress.js');
  const { exitCodeOf, UploadError } = await import('../../upload/upload-errors.js');
  const { describeError } = await import('../../engine/errors.js');
  if (positionals.length === 0) return usage('upload', 'expected the FILE to upload');
  if (positionals.length > 1) return usage('upload', `expected one FILE, got ${positionals.length}: ${positionals.join(' ')}`);
  if (v.target === undefined) return usage('upload', '--target URL is required, e.g. --target serial:///dev/ttyACM0?baud=115200 or --target udp://192.0.2.7');
  const protocol = v.protocol ?? protocolForTarget(v.target);
  if (protocol === undefined) return usage('upload', `--target ${v.target}: cannot tell the protocol from the URL; give --protocol ${UPLOAD_PROTOCOLS.join('|')}`);
  if (!(UPLOAD_PROTOCOLS as readonly string[]).includes(protocol)) return usage('upload', `--protocol ${protocol}: expected one of ${UPLOAD_PROTOCOLS.join(', ')}`);
  const mode = v.progress ?? 'auto';
  if (!(PROGRESS_MODES as readonly string[]).includes(mode)) return usage('upload', `--progress ${mode}: expected one of ${PROGRESS_MODES.join(', ')}`);
  let numbers;
  try {
    numbers = {
      chunk: v.chunk === undefined ? undefined : whole('--chunk', v.chunk, 1, 65535),
      window: v.window === undefined ? undefined : whole('--window', v.window, 1, 64),
      timeoutMs: v.timeout === undefined ? undefined : whole('--timeout', v.timeout, 1, 3_600_000),
      reconnectMs: v.reconnect === undefined ? undefined : whole('--reconnect', v.reconnect, 0, 3600) * 1000,
    };
  } catch (e) {
    return usage('upload', (e as Error).message);
  }
  if (protocol !== 'smp') {
    for (const [opt, given] of [['--window', v.window], ['--raw', v.raw], ['--reconnect', v.reconnect]] as const) {
      if (given !== undefined) return usage('upload', `${opt} is for --protocol smp`);
    }
  }
  if (protocol !== 'coap' && v.qblock) return usage('upload', '--qblock is for --protocol coap');
  const progress = progressFor(mode as (typeof PROGRESS_MODES)[number], { write: (t) => void process.stderr.write(t), isTTY: process.stderr.isTTY, columns: process.stderr.columns });
  try {
    const summary = await upload({
      file: positionals[0]!,
      target: v.target,
      protocol: protocol as (typeof UPLOAD_PROTOCOLS)[number],
      ...numbers,
      raw: v.raw === true,
      resource: v.resource,
      qblock: v.qblock === true,
      progress,
      onText: v.verbose ? (t) => void process.stderr.write(t) : undefined,
    });
    for (const n of summary.notes) process.stderr.write(`${n}\n`);
    process.stdout.write(`${describeSummary(summary)}\n`);
    process.stdout.write(`${summary.verdict.ok ? (summary.verdict.checked ? 'verified' : 'NOT VERIFIED') : 'VERIFICATION FAILED'}: ${summary.verdict.detail}\n`);
    return summary.verdict.ok ? Exit.OK : Exit.TEST_FAILED;
  } catch (e) {
    progress.end();
    if (e instanceof UploadError && e.kind === 'usage') return usage('upload', e.message);
    process.stderr.write(`hilrig upload: ${describeError(e)}\n`);
    return exitCodeOf(e);
  }
}

function whole(opt: string, text: string, min: number, max: number): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) throw new TypeError(`${opt} ${text}: expected a whole number from ${min} to ${max}`);
  return n;
}
