// The sender's options, checked once up front: a TypeError naming the option and what it
// accepts, so a typo fails loudly before a byte is sent.
import { XMODEM_MODES, type XmodemFile, type XmodemMode, type XmodemSendOptions } from './xmodem-events.js';
import { encodeYmodemHeader } from './xmodem-codec.js';

export interface ResolvedXmodemOptions {
  mode: XmodemMode;
  file: XmodemFile;
  retries: number;
  startTimeoutMs: number;
  blockTimeoutMs: number;
  startSettleMs: number;
  /** the receiver must ask for CRC-16 ('C'): a NAK start is not taken */
  crcOnly: boolean;
  /** 1K blocks when the receiver asked for CRC */
  oneK: boolean;
  /** YMODEM block 0, encoded once (undefined for XMODEM) */
  header?: Uint8Array;
}

export const XMODEM_DEFAULTS = { retries: 10, startTimeoutMs: 60_000, blockTimeoutMs: 10_000, startSettleMs: 20 } as const;

const KNOWN = ['mode', 'file', 'retries', 'startTimeoutMs', 'blockTimeoutMs', 'startSettleMs'] as const;
const MAX_MS = 3_600_000;

function bad(message: string): TypeError {
  return new TypeError(`xmodem: ${message}`);
}

function ms(name: string, v: unknown, fallback: number, min: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !(v >= min && v <= MAX_MS)) throw bad(`option "${name}" must be a number of milliseconds from ${min} to ${MAX_MS}, got ${String(v)}`);
  return v;
}

function checkFile(mode: XmodemMode, f: unknown): XmodemFile {
  const file = f as Partial<XmodemFile> | null;
  if (typeof file !== 'object' || file === null) throw bad('option "file" must be { name, size, read(offset, length) }');
  if (typeof file.read !== 'function') throw bad('option "file.read" must be a function (offset, length) => bytes');
  if (!(Number.isSafeInteger(file.size) && (file.size as number) >= 0)) throw bad(`option "file.size" must be a whole number of bytes >= 0, got ${String(file.size)}`);
  if (mode === 'ymodem' && (typeof file.name !== 'string' || file.name.length === 0)) throw bad('option "file.name" must be a non-empty string in YMODEM (it goes in block 0)');
  return file as XmodemFile;
}

/** Check every option and fill in the defaults. Throws TypeError naming the bad option. */
export function resolveXmodemOptions(opts: XmodemSendOptions): ResolvedXmodemOptions {
  if (typeof opts !== 'object' || opts === null) throw bad('options must be an object { mode, file, ... }');
  for (const key of Object.keys(opts)) {
    if (!(KNOWN as readonly string[]).includes(key)) throw bad(`unknown option "${key}"; known options: ${KNOWN.join(', ')}`);
  }
  const mode = opts.mode;
  if (!XMODEM_MODES.includes(mode)) throw bad(`option "mode" must be one of ${XMODEM_MODES.join(', ')}, got ${String(mode)}`);
  const file = checkFile(mode, opts.file);
  const retries = opts.retries ?? XMODEM_DEFAULTS.retries;
  if (!(Number.isInteger(retries) && retries >= 0 && retries <= 1000)) throw bad(`option "retries" must be a whole number from 0 to 1000, got ${String(retries)}`);
  let header: Uint8Array | undefined;
  if (mode === 'ymodem') {
    try {
      header = encodeYmodemHeader({ name: file.name, size: file.size, mtime: file.mtime, mode: file.mode });
    } catch (e) {
      throw bad(`option "file": ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return {
    mode,
    file,
    retries,
    startTimeoutMs: ms('startTimeoutMs', opts.startTimeoutMs, XMODEM_DEFAULTS.startTimeoutMs, 1),
    blockTimeoutMs: ms('blockTimeoutMs', opts.blockTimeoutMs, XMODEM_DEFAULTS.blockTimeoutMs, 1),
    startSettleMs: ms('startSettleMs', opts.startSettleMs, XMODEM_DEFAULTS.startSettleMs, 0),
    crcOnly: mode === 'xmodem-crc' || mode === 'ymodem',
    oneK: mode === 'xmodem-1k' || mode === 'ymodem',
    header,
  };
}
