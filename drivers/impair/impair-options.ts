// What the impairment layer does to a link, checked once up front so that a typo in a rig file
// or on the command line fails loudly instead of silently testing a perfect link.
import { randomSeed } from './rng.js';

/** Which way the impairment applies: 'out' = what this side sends, 'in' = what it receives. */
export type ImpairDirection = 'both' | 'in' | 'out';

export interface ImpairOptions {
  /** probability (0..1) that a datagram is lost; datagram transports only */
  loss?: number;
  /** probability (0..1) that a datagram arrives twice; datagram transports only */
  duplicate?: number;
  /**
   * probability (0..1) that a datagram is held back and handed on right after the next one
   * (if no next one comes within 100 ms of clock time it goes on alone); datagram transports only
   */
  reorder?: number;
  /** one-way delay added to every datagram or stream slice, in clock milliseconds (default 0) */
  delayMs?: number;
  /**
   * the delay varies uniformly within delayMs ± jitterMs (never below 0). Order is kept, as on
   * a real link with one queue: use `reorder` to reorder.
   */
  jitterMs?: number;
  /** pace the bytes at this line rate (bits per second), like a UART; on a datagram transport it is the link's rate */
  baud?: number;
  /** bits on the line per byte (default 10 = 8N1: start + 8 data + stop; 11 for 8E1 or 8N2) */
  bitsPerByte?: number;
  /** default 'both' */
  direction?: ImpairDirection;
  /** seed of the random draws (integer 0..4294967295); the same seed gives the same pattern. Default: a random one */
  seed?: number;
}

/** Options with every default filled in; `baud` stays undefined when the link is not paced. */
export interface ResolvedImpairOptions {
  readonly loss: number;
  readonly duplicate: number;
  readonly reorder: number;
  readonly delayMs: number;
  readonly jitterMs: number;
  readonly baud: number | undefined;
  readonly bitsPerByte: number;
  readonly direction: ImpairDirection;
  readonly seed: number;
}

const KNOWN = ['loss', 'duplicate', 'reorder', 'delayMs', 'jitterMs', 'baud', 'bitsPerByte', 'direction', 'seed'] as const;
const DIRECTIONS: readonly ImpairDirection[] = ['both', 'in', 'out'];

function probability(name: string, v: unknown): number {
  if (v === undefined) return 0;
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new TypeError(`impair option "${name}" must be a probability from 0 to 1, got ${String(v)}`);
  return v;
}

function milliseconds(name: string, v: unknown): number {
  if (v === undefined) return 0;
  if (typeof v !== 'number' || !(v >= 0 && v <= 3_600_000)) throw new TypeError(`impair option "${name}" must be a number of milliseconds from 0 to 3600000, got ${String(v)}`);
  return v;
}

/** Check every option (TypeError naming the option and its allowed range) and fill in defaults. */
export function resolveImpairOptions(opts: ImpairOptions): ResolvedImpairOptions {
  for (const key of Object.keys(opts)) {
    if (!(KNOWN as readonly string[]).includes(key)) {
      throw new TypeError(`unknown impair option "${key}"${hintFor(key)}; known options: ${KNOWN.join(', ')}`);
    }
  }
  const { baud, bitsPerByte = 10, direction = 'both', seed } = opts;
  if (baud !== undefined && (typeof baud !== 'number' || !(baud >= 1 && baud <= 1e10))) {
    throw new TypeError(`impair option "baud" must be a line rate from 1 to 1e10 bits per second, got ${String(baud)}`);
  }
  if (typeof bitsPerByte !== 'number' || !(bitsPerByte >= 1 && bitsPerByte <= 16)) {
    throw new TypeError(`impair option "bitsPerByte" must be a number from 1 to 16 (10 for 8N1), got ${String(bitsPerByte)}`);
  }
  if (!DIRECTIONS.includes(direction)) {
    throw new TypeError(`impair option "direction" must be one of ${DIRECTIONS.join(', ')}, got ${String(direction)}`);
  }
  if (seed !== undefined && (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)) {
    throw new TypeError(`impair option "seed" must be an integer from 0 to 4294967295, got ${String(seed)}`);
  }
  return {
    loss: probability('loss', opts.loss),
    duplicate: probability('duplicate', opts.duplicate),
    reorder: probability('reorder', opts.reorder),
    delayMs: milliseconds('delayMs', opts.delayMs),
    jitterMs: milliseconds('jitterMs', opts.jitterMs),
    baud,
    bitsPerByte,
    direction,
    seed: seed ?? randomSeed(),
  };
}

/** The compact spelling's keys (short and long) to option names. */
const ALIASES: Record<string, (typeof KNOWN)[number]> = {
  loss: 'loss',
  dup: 'duplicate',
  duplicate: 'duplicate',
  reorder: 'reorder',
  delay: 'delayMs',
  delayms: 'delayMs',
  jitter: 'jitterMs',
  jitterms: 'jitterMs',
  baud: 'baud',
  bits: 'bitsPerByte',
  bitsperbyte: 'bitsPerByte',
  dir: 'direction',
  direction: 'direction',
  seed: 'seed',
};

function hintFor(key: string): string {
  const alias = ALIASES[key.toLowerCase()];
  return alias && alias !== key ? ` (did you mean "${alias}"?)` : '';
}

/**
 * Parse the compact spelling used on the command line and in URLs:
 * `loss=0.2,delay=10,jitter=2,dup=0.01,reorder=0.05,baud=115200,bits=10,dir=out,seed=7`.
 * Pairs are separated by `,` or `&` (so a URL query string works as is); probabilities may be
 * written as percentages (`loss=20%`). Throws a TypeError naming the key that is wrong.
 */
export function parseImpairOptions(text: string): ImpairOptions {
  const opts: Record<string, unknown> = {};
  for (const pair of text.split(/[,&]/)) {
    const item = pair.trim();
    if (item === '') continue;
    const eq = item.indexOf('=');
    if (eq < 0) throw new TypeError(`impair setting "${item}" has no value: expected key=value, e.g. loss=0.2`);
    const key = item.slice(0, eq).trim();
    const raw = item.slice(eq + 1).trim();
    const name = ALIASES[key.toLowerCase()];
    if (!name) throw new TypeError(`unknown impair setting "${key}"; known: ${Object.keys(ALIASES).join(', ')}`);
    let value: unknown = raw;
    if (name !== 'direction') {
      const percent = raw.endsWith('%');
      const num = raw === '' || raw === '%' ? NaN : Number(percent ? raw.slice(0, -1) : raw);
      if (!Number.isFinite(num)) throw new TypeError(`impair setting "${key}" must be a number, got "${raw}"`);
      if (percent && !(name === 'loss' || name === 'duplicate' || name === 'reorder')) {
        throw new TypeError(`impair setting "${key}" cannot be a percentage (only loss, dup and reorder can), got "${raw}"`);
      }
      value = percent ? num / 100 : num;
    }
    try {
      resolveImpairOptions({ seed: 0, [name]: value } as ImpairOptions);
    } catch (e) {
      // name the setting as the user wrote it as well as the option it stands for
      throw new TypeError(`impair setting "${item}": ${(e as Error).message}`);
    }
    opts[name] = value;
  }
  return opts as ImpairOptions;
}

/** The compact spelling of resolved options, leaving out what is off (for logs and `relay` output). */
export function formatImpairOptions(o: ResolvedImpairOptions): string {
  const parts: string[] = [];
  if (o.loss > 0) parts.push(`loss=${o.loss}`);
  if (o.duplicate > 0) parts.push(`dup=${o.duplicate}`);
  if (o.reorder > 0) parts.push(`reorder=${o.reorder}`);
  if (o.delayMs > 0) parts.push(`delay=${o.delayMs}`);
  if (o.jitterMs > 0) parts.push(`jitter=${o.jitterMs}`);
  if (o.baud !== undefined) parts.push(`baud=${o.baud}`, `bits=${o.bitsPerByte}`);
  if (o.direction !== 'both') parts.push(`dir=${o.direction}`);
  parts.push(`seed=${o.seed}`);
  return parts.join(',');
}
