// `hilrig image`: look at an MCUboot image file (info), and manage a board's images over SMP the
// way mcumgr does (list, test, confirm, erase, reset).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { usage, usageError as parseArgsMessage } from '../cli-support.js';
import { Exit } from '../exit-codes.js';

export const help = `hilrig image: MCUboot images, in a file and on a board (over SMP, like mcumgr)

Usage:
  hilrig image info FILE                          header, version, sizes, TLVs, hash, does it verify
  hilrig image list --target URL                  the board's image slots as a table
  hilrig image test HASH --target URL             boot HASH once on the next reset (then revert
                                                  unless the image confirms itself)
  hilrig image confirm [HASH] --target URL        make HASH permanent (no HASH: the running image)
  hilrig image erase [--slot N] --target URL      erase a slot (default 1, the secondary)
  hilrig image reset [--force] --target URL       reset the board (SMP OS group reset)

URL: serial:///dev/ttyACM0?baud=115200 or udp://HOST[:PORT] (SMP port 1337 by default).
HASH: the image's SHA-256 (64 hex digits) as \`image list\` and \`image info\` print it.

Options:
  -t, --target URL    the board (list, test, confirm, erase, reset)
      --slot N        erase: the slot (default 1)
      --force         reset: ask for a reset even if the application would refuse it
      --json          list, test, confirm: print the image list as JSON
      --timeout MS    how long to wait for the answer (default 5000; erase 30000)
  -h, --help          this text

Exit codes: 0 done (info: the image verifies), 1 the board refused (info: the image does not
verify), 2 usage (info: not an MCUboot image), 3 the link failed.

Examples:
  hilrig image info build/zephyr/zephyr.signed.bin
  hilrig image list --target serial:///dev/ttyACM0?baud=115200
  hilrig image test 3f5a...e1 --target udp://192.0.2.7
  hilrig image reset --target udp://192.0.2.7
`;

const ACTIONS = ['info', 'list', 'test', 'confirm', 'erase', 'reset'] as const;
type Action = (typeof ACTIONS)[number];

export async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        target: { type: 'string', short: 't' },
        slot: { type: 'string' },
        force: { type: 'boolean' },
        json: { type: 'boolean' },
        timeout: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    return usage('image', parseArgsMessage(e));
  }
  const { values: v, positionals } = parsed;
  if (v.help) {
    process.stdout.write(help);
    return Exit.OK;
  }
  const [action, ...args] = positionals;
  if (action === undefined || !(ACTIONS as readonly string[]).includes(action)) return usage('image', `expected an action first: ${ACTIONS.join('|')}${action ? `, got "${action}"` : ''}`);
  if (action === 'info') {
    if (args.length !== 1) return usage('image', 'info takes one FILE');
    for (const opt of ['target', 'slot', 'force', 'json', 'timeout'] as const) if (v[opt] !== undefined) return usage('image', `--${opt} is not for info`);
    return info(args[0]!);
  }
  return onBoard(action as Exclude<Action, 'info'>, args, v);
}

async function info(file: string): Promise<number> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    return usage('image', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const { describeImage, parseImage, verifyImage } = await import('../../../protocols/mcuboot/image.js');
  const { createHash } = await import('node:crypto');
  const r = parseImage(bytes);
  process.stdout.write(`${file}\n${describeImage(bytes)}\n`);
  if (r.kind !== 'ok') return Exit.USAGE;
  process.stdout.write(`  file sha256    ${createHash('sha256').update(bytes).digest('hex')} (what an SMP upload announces)\n`);
  const ok = verifyImage(bytes, r.value).ok;
  process.stdout.write(`  verifies       ${ok ? 'yes' : 'NO'}\n`);
  return ok ? Exit.OK : Exit.TEST_FAILED;
}

interface BoardValues {
  target?: string;
  slot?: string;
  force?: boolean;
  json?: boolean;
  timeout?: string;
}

async function onBoard(action: Exclude<Action, 'info'>, args: string[], v: BoardValues): Promise<number> {
  const { runImageAction, parseHash, formatImageTable, imageStateJson } = await import('../../upload/smp-image-commands.js');
  const { exitCodeOf, UploadError } = await import('../../upload/upload-errors.js');
  const { describeError } = await import('../../engine/errors.js');
  if (v.target === undefined) return usage('image', `${action} needs --target URL (serial:///dev/ttyACM0?baud=115200 or udp://HOST)`);
  if (v.slot !== undefined && action !== 'erase') return usage('image', '--slot is for erase');
  if (v.force !== undefined && action !== 'reset') return usage('image', '--force is for reset');
  if (v.json !== undefined && !['list', 'test', 'confirm'].includes(action)) return usage('image', `--json is for list, test and confirm`);
  const maxArgs = action === 'test' || action === 'confirm' ? 1 : 0;
  if (args.length > maxArgs) return usage('image', `unexpected argument "${args[maxArgs]}"`);
  if (action === 'test' && args.length === 0) return usage('image', 'test needs the HASH of the image to test (hilrig image list shows it)');
  try {
    const timeoutMs = v.timeout === undefined ? undefined : whole('--timeout', v.timeout, 1, 3_600_000);
    const a =
      action === 'list'
        ? ({ kind: 'list' } as const)
        : action === 'test'
          ? ({ kind: 'test', hash: parseHash(args[0]!) } as const)
          : action === 'confirm'
            ? ({ kind: 'confirm', hash: args[0] === undefined ? undefined : parseHash(args[0]) } as const)
            : action === 'erase'
              ? ({ kind: 'erase', slot: v.slot === undefined ? undefined : whole('--slot', v.slot, 0, 255) } as const)
              : ({ kind: 'reset', force: v.force } as const);
    const r = await runImageAction(a, { target: v.target, timeoutMs });
    if (r.kind === 'state') process.stdout.write(v.json ? imageStateJson(r.state) : formatImageTable(r.state));
    else process.stdout.write(`${r.what}\n`);
    return Exit.OK;
  } catch (e) {
    if ((e instanceof UploadError && e.kind === 'usage') || e instanceof TypeError) return usage('image', describeError(e));
    process.stderr.write(`hilrig image ${action}: ${describeError(e)}\n`);
    return exitCodeOf(e);
  }
}

function whole(opt: string, text: string, min: number, max: number): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) throw new TypeError(`${opt} ${text}: expected a whole number from ${min} to ${max}`);
  return n;
}
