// Parses `serial:///dev/ttyACM0?baud=115200&dataBits=8&parity=none&stopBits=1&flow=none`
// (or the compact `mode=8N1`) into port settings. Pure: no I/O, so a typo in a rig file is
// reported before any port is touched, with the key and the values it accepts.
import { HilrigError } from '../../rig/engine/errors.js';

export type Parity = 'none' | 'even' | 'odd' | 'mark' | 'space';
export type StopBits = 1 | 1.5 | 2;
export type DataBits = 5 | 6 | 7 | 8;
export type FlowControl = 'none' | 'rtscts' | 'xonxoff';

export interface SerialSettings {
  /** the OS path, '/dev/ttyACM0' (or 'COM3' on Windows) */
  path: string;
  baudRate: number;
  dataBits: DataBits;
  parity: Parity;
  stopBits: StopBits;
  flow: FlowControl;
}

export const SERIAL_DEFAULTS: Omit<SerialSettings, 'path'> = {
  baudRate: 115200,
  dataBits: 8,
  parity: 'none',
  stopBits: 1,
  flow: 'none',
};

const PARITIES: readonly Parity[] = ['none', 'even', 'odd', 'mark', 'space'];
const STOP_BITS: readonly string[] = ['1', '1.5', '2'];
const DATA_BITS: readonly string[] = ['5', '6', '7', '8'];
const FLOWS: readonly FlowControl[] = ['none', 'rtscts', 'xonxoff'];
const KEYS = ['baud', 'dataBits', 'parity', 'stopBits', 'flow', 'mode'] as const;
type Key = (typeof KEYS)[number];

/** The letter of each parity in a `mode=8N1` string. */
const PARITY_LETTER: Record<string, Parity> = { N: 'none', E: 'even', O: 'odd', M: 'mark', S: 'space' };
/** Highest rate accepted: above every UART we know of, low enough to catch a stray digit. */
const MAX_BAUD = 20_000_000;

function bad(href: string, message: string): HilrigError {
  return new HilrigError('BAD_URL', `${href}: ${message}`);
}

function oneOf<T extends string>(href: string, key: Key, value: string, allowed: readonly T[]): T {
  const found = allowed.find((a) => a.toLowerCase() === value.toLowerCase());
  if (found === undefined) throw bad(href, `${key}=${value} is not valid; ${key} must be one of ${allowed.join(', ')}`);
  return found;
}

function parseBaud(href: string, value: string): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(n >= 1 && n <= MAX_BAUD)) {
    throw bad(href, `baud=${value} is not valid; baud must be a whole number of bits per second from 1 to ${MAX_BAUD} (e.g. 9600, 115200, 921600)`);
  }
  return n;
}

function parseMode(href: string, value: string): Pick<SerialSettings, 'dataBits' | 'parity' | 'stopBits'> {
  const m = /^([5-8])([NEOMS])(1|1\.5|2)$/i.exec(value);
  if (!m) {
    throw bad(href, `mode=${value} is not valid; mode is DATABITS PARITY STOPBITS like 8N1, 7E1 or 8N2 (data bits 5-8, parity N/E/O/M/S, stop bits 1, 1.5 or 2)`);
  }
  const [, d, p, s] = m as unknown as [string, string, string, string];
  return { dataBits: Number(d) as DataBits, parity: PARITY_LETTER[p.toUpperCase()] as Parity, stopBits: Number(s) as StopBits };
}

/** The device path of a serial URL: `serial:///dev/ttyACM0` -> '/dev/ttyACM0'. */
function portPath(url: URL): string {
  let host: string;
  let pathname: string;
  try {
    host = decodeURIComponent(url.hostname);
    pathname = decodeURIComponent(url.pathname);
  } catch {
    throw bad(url.href, 'the port path has a malformed %-escape');
  }
  // Windows ports have no path: serial://COM3
  if (/^com\d+$/i.test(host) && (pathname === '' || pathname === '/')) return host.toUpperCase();
  if (host !== '') {
    // serial://dev/ttyACM0 (two slashes) makes "dev" a host name: the commonest typo
    throw bad(url.href, `expected serial:///dev/PORT (three slashes); did you mean serial:///${host}${pathname}?`);
  }
  if (!pathname.startsWith('/') || pathname === '/') throw bad(url.href, 'no absolute port path; expected serial:///dev/ttyACM0?baud=115200');
  return pathname;
}

/**
 * Settings of a `serial:` URL, defaults 115200 8N1 without flow control.
 * Throws HilrigError BAD_URL naming the offending key and what it accepts.
 */
export function parseSerialUrl(input: URL | string): SerialSettings {
  let url: URL;
  try {
    url = typeof input === 'string' ? new URL(input) : input;
  } catch {
    throw new HilrigError('BAD_URL', `bad URL "${String(input)}": expected serial:///dev/ttyACM0?baud=115200`);
  }
  if (url.protocol !== 'serial:') throw bad(url.href, `not a serial URL; expected serial:///dev/ttyACM0?baud=115200`);
  const out: SerialSettings = { path: portPath(url), ...SERIAL_DEFAULTS };

  const seen = new Set<string>();
  for (const [rawKey, value] of url.searchParams) {
    const key = KEYS.find((k) => k.toLowerCase() === rawKey.toLowerCase());
    if (key === undefined) throw bad(url.href, `unknown option "${rawKey}"; serial URLs take ${KEYS.join(', ')}`);
    if (seen.has(key)) throw bad(url.href, `${key} is given twice`);
    seen.add(key);
    switch (key) {
      case 'baud':
        out.baudRate = parseBaud(url.href, value);
        break;
      case 'dataBits':
        out.dataBits = Number(oneOf(url.href, key, value, DATA_BITS)) as DataBits;
        break;
      case 'parity':
        out.parity = oneOf(url.href, key, value, PARITIES);
        break;
      case 'stopBits':
        out.stopBits = Number(oneOf(url.href, key, value, STOP_BITS)) as StopBits;
        break;
      case 'flow':
        out.flow = oneOf(url.href, key, value, FLOWS);
        break;
      case 'mode':
        Object.assign(out, parseMode(url.href, value));
        break;
    }
  }
  // Two spellings of the same setting could disagree; refuse rather than pick one silently.
  const clash = ['dataBits', 'parity', 'stopBits'].filter((k) => seen.has(k));
  if (seen.has('mode') && clash.length > 0) {
    throw bad(url.href, `mode already sets data bits, parity and stop bits; drop ${clash.join(', ')} or drop mode`);
  }
  return out;
}
