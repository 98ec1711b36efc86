/**
 * Picking the board a run talks to: by name from a rig file, or from a
 * `--target URL` when there is no rig file (quick runs against a board on
 * the desk or a simulator).
 */
import { RigConfigError, type RigIssue } from './errors.js';
import { validate } from './issues.js';
import { RigConfigSchema, type BoardConfig, type RigConfig } from './schema.js';
import { closestKey, unknownKeyMessage } from './suggest.js';

export interface SelectedBoard {
  name: string;
  board: BoardConfig;
}

/**
 * @param name board to use; may be omitted only when the rig has one board,
 *   because silently picking "the first" of several is how the wrong board gets flashed
 * @param source labels errors, normally the rig file path
 */
export function selectBoard(cfg: RigConfig, name?: string, source = 'rig file'): SelectedBoard {
  const names = Object.keys(cfg.boards);
  const list = names.map((n) => `"${n}"`).join(', ');
  const fail = (message: string): never => {
    throw new RigConfigError('RIG_CONFIG_INVALID', source, [{ path: 'boards', message }]);
  };
  if (name === undefined) {
    if (names.length === 1) return { name: names[0], board: cfg.boards[names[0]] };
    return fail(
      names.length === 0
        ? 'no boards defined'
        : `${names.length} boards defined and none selected; name one of ${list}`,
    );
  }
  if (Object.hasOwn(cfg.boards, name)) return { name, board: cfg.boards[name] };
  const guess = closestKey(name, names);
  return fail(`no board "${name}"${guess === undefined ? '' : `; did you mean "${guess}"?`} (boards: ${list})`);
}

// ------------------------------------------------------------ --target --

type Role = 'console' | 'coap' | 'smp';
interface Scheme {
  role: Role;
  kind: 'udp' | 'serial' | 'slipmux';
  defaultPort?: number;
  example: string;
}

/** `<protocol>+<transport>`; a bare transport means the protocol it most often carries. */
const SCHEMES: Readonly<Record<string, Scheme>> = {
  udp: { role: 'coap', kind: 'udp', example: 'udp://HOST:PORT, e.g. udp://127.0.0.1:5683' },
  // RFC 7252 gives the coap scheme a default port, so it may be left out.
  coap: { role: 'coap', kind: 'udp', defaultPort: 5683, example: 'coap://HOST[:PORT]' },
  'smp+udp': { role: 'smp', kind: 'udp', example: 'smp+udp://HOST:PORT, e.g. smp+udp://192.0.2.10:1337' },
  serial: { role: 'console', kind: 'serial', example: 'serial:///dev/ttyACM0?baud=115200' },
  'coap+serial': { role: 'coap', kind: 'slipmux', example: 'coap+serial:///dev/ttyUSB0?baud=115200' },
  'smp+serial': { role: 'smp', kind: 'serial', example: 'smp+serial:///dev/ttyACM0?baud=115200' },
};

const SERIAL_PARAMS = ['baud', 'dataBits', 'parity', 'stopBits', 'flowControl'] as const;
const URL_RE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?$/;

/**
 * One-board config named `target` from a URL:
 * `udp://127.0.0.1:5683` (CoAP over UDP), `coap://[::1]`,
 * `smp+udp://host:1337`, `serial:///dev/ttyACM0?baud=115200` (console),
 * `coap+serial:///dev/ttyUSB0?baud=115200` (CoAP over slipmux),
 * `smp+serial:///dev/ttyACM0`. Serial query parameters are the serial
 * endpoint keys of rig.yaml.
 */
export function targetToBoard(url: string): SelectedBoard {
  const issues: RigIssue[] = [];
  const fail = (): never => {
    throw new RigConfigError('RIG_CONFIG_INVALID', url, issues);
  };
  const m = URL_RE.exec(url.trim());
  if (!m) {
    issues.push({ path: '', message: `expected SCHEME://..., one of ${allExamples()}` });
    return fail();
  }
  const [, rawScheme, authority, rawPath, query = ''] = m;
  const scheme = SCHEMES[rawScheme.toLowerCase()];
  if (!scheme) {
    const guess = closestKey(rawScheme.toLowerCase(), Object.keys(SCHEMES));
    issues.push({
      path: 'scheme',
      message:
        `unsupported scheme "${rawScheme}"; ` +
        (guess === undefined ? `expected one of ${allExamples()}` : `did you mean "${guess}"?`),
    });
    return fail();
  }
  const params = new URLSearchParams(query);
  let endpoint: Record<string, unknown>;
  if (scheme.kind === 'udp') {
    endpoint = udpEndpoint(authority, rawPath, scheme, issues);
    for (const key of new Set(params.keys())) {
      issues.push({ path: `query.${key}`, message: `unknown parameter; ${scheme.example} takes none` });
    }
  } else {
    endpoint = serialEndpoint(authority, rawPath, params, scheme, issues);
  }
  if (issues.length > 0) return fail();

  const transport = scheme.kind === 'slipmux' ? { slipmux: { serial: endpoint } } : { [scheme.kind]: endpoint };
  const raw = { version: 1, boards: { target: { transports: { [scheme.role]: transport } } } };
  const result = validate(RigConfigSchema, raw);
  if (!result.ok) {
    // Report against the URL's parts, not the rig.yaml path the user never wrote.
    for (const i of result.issues) issues.push({ ...i, path: urlPart(i.path) });
    return fail();
  }
  return { name: 'target', board: result.value.boards.target };
}

function allExamples(): string {
  return Object.values(SCHEMES)
    .map((s) => s.example.split(',')[0])
    .join(', ');
}

function urlPart(rigPath: string): string {
  const last = rigPath.split('.').at(-1) ?? '';
  return (SERIAL_PARAMS as readonly string[]).includes(last) ? `query.${last}` : last;
}

function udpEndpoint(authority: string, path: string, s: Scheme, issues: RigIssue[]): Record<string, unknown> {
  if (path !== '' && path !== '/') issues.push({ path: 'path', message: `unexpected path "${path}"; expected ${s.example}` });
  // [v6]:port, or host:port with at most one colon.
  const hm = /^\[([^\]]*)\](?::(.*))?$/.exec(authority) ?? /^([^:[\]]*)(?::(.*))?$/.exec(authority);
  if (!hm || hm[1] === '') {
    const v6 = authority.split(':').length > 2;
    issues.push({
      path: 'host',
      message: v6 ? `IPv6 addresses need brackets, e.g. udp://[::1]:5683` : `missing host; expected ${s.example}`,
    });
    return {};
  }
  const [, host, portText] = hm;
  let port: number | undefined = s.defaultPort;
  if (portText === undefined || portText === '') {
    if (port === undefined) issues.push({ path: 'port', message: `missing port; expected ${s.example}` });
  } else if (!/^\d+$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
    issues.push({ path: 'port', message: `expected a port number 1..65535, got "${portText}"` });
  } else {
    port = Number(portText);
  }
  return { host, port };
}

function serialEndpoint(
  authority: string,
  rawPath: string,
  params: URLSearchParams,
  s: Scheme,
  issues: RigIssue[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (authority !== '') {
    issues.push({
      path: 'path',
      message: `"${authority}" is in the host part; expected three slashes, e.g. ${s.example}`,
    });
    return out;
  }
  let path = decodeURIComponent(rawPath);
  // Windows ports have no leading slash: serial:///COM3.
  if (/^\/COM\d+$/i.test(path)) path = path.slice(1);
  if (path === '' || path === '/') issues.push({ path: 'path', message: `missing device path; expected ${s.example}` });
  out.path = path;
  for (const [key, value] of params) {
    if (!(SERIAL_PARAMS as readonly string[]).includes(key)) {
      issues.push({ path: `query.${key}`, message: unknownKeyMessage(key, SERIAL_PARAMS).replace('key', 'parameter') });
    } else if (key in out) {
      issues.push({ path: `query.${key}`, message: 'given twice' });
    } else {
      // Numbers as numbers so the schema's range checks apply; "fast" stays a string and is rejected.
      out[key] = /^\d+(\.\d+)?$/.test(value) ? Number(value) : value;
    }
  }
  return out;
}
