// `hilrig relay`: a UDP relay on loopback with a bad link inside, for putting any UDP client
// (hilrig's CoAP client, libcoap's coap-client) and a server on the same lossy, delayed link.
// Scripts start it, wait for the `ready URL` line, run their clients against URL, then send
// SIGTERM and read the counters.
import { parseArgs } from 'node:util';
import { formatImpairOptions, type ImpairOptions, parseImpairOptions } from '../../../drivers/impair/impair-options.js';
import { formatCounters } from '../../../drivers/impair/impair-stats.js';
import { startUdpRelay, type UdpRelay } from '../../../drivers/impair/udp-relay.js';
import { HilrigError } from '../../engine/index.js';
import { Exit } from '../exit-codes.js';
import { usage, usageError } from '../cli-support.js';

export const help = `usage: hilrig relay --to udp://HOST:PORT [--listen udp://HOST:PORT] [impairment options]

Relay UDP datagrams from clients at --listen to the server at --to and back, dropping,
duplicating, reordering, delaying and rate-limiting them on the way (in user space: no
root, no kernel netem). Each client gets its own upstream socket. When listening, prints
one line "ready udp://HOST:PORT" on stdout (wait for it); runs until SIGINT or SIGTERM,
then prints the counters and exits 0.

options:
  --to URL          the server, e.g. udp://127.0.0.1:5683 (required)
  --listen URL      where clients send (default udp://127.0.0.1:0: a free port, printed on the ready line)
  --loss P          probability 0..1 (or 20%) that a datagram is lost (default 0)
  --dup P           probability 0..1 that a datagram arrives twice (default 0)
  --reorder P       probability 0..1 that a datagram is held back and sent after the next one (default 0)
  --delay MS        one-way delay in milliseconds (default 0)
  --jitter MS       the delay varies within delay ± jitter, order kept (default 0)
  --baud N          limit the link to N bits per second (default: unlimited)
  --bits N          bits per byte on the line for --baud (default 10, i.e. 8N1)
  --direction D     both, out (client -> server only) or in (server -> client only) (default both)
  --seed N          seed of the random draws, 0..4294967295 (default: random, printed at the end)
  --impair SPEC     all of the above in one string: loss=0.2,delay=10,jitter=2,dup=0.01,seed=7
                    (the single options above override it)
  --idle MS         forget a client silent for MS milliseconds (default 60000)
  --json            print the counters as one JSON line instead of text
  -h, --help        show this help

examples:
  hilrig relay --listen udp://127.0.0.1:6000 --to udp://127.0.0.1:5683 --loss 0.2 --seed 7
  hilrig relay --to udp://127.0.0.1:5683 --delay 50 --jitter 10 --direction out
  hilrig relay --to udp://127.0.0.1:5683 --impair loss=5%,dup=0.01,reorder=0.05,seed=42 --json

exit codes: 0 stopped by a signal, 2 bad options, 3 cannot bind --listen or the socket failed.
`;

/** Command-line flag -> key of the compact impairment spelling. */
const IMPAIR_FLAGS = {
  loss: 'loss',
  dup: 'dup',
  reorder: 'reorder',
  delay: 'delay',
  jitter: 'jitter',
  baud: 'baud',
  bits: 'bits',
  direction: 'dir',
  seed: 'seed',
} as const;

const str = { type: 'string' } as const;

export async function run(argv: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        to: str,
        listen: str,
        impair: str,
        idle: str,
        loss: str,
        dup: str,
        reorder: str,
        delay: str,
        jitter: str,
        baud: str,
        bits: str,
        direction: str,
        seed: str,
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    return usage('relay', usageError(e));
  }
  if (values.help) {
    process.stdout.write(help);
    return Exit.OK;
  }
  const to = values.to;
  if (typeof to !== 'string') return usage('relay', '--to is required: the server to relay to, e.g. --to udp://127.0.0.1:5683');

  let impair: ImpairOptions;
  let idleMs: number | undefined;
  try {
    impair = impairFromFlags(values);
    if (typeof values.idle === 'string') {
      idleMs = Number(values.idle);
      if (!(idleMs > 0)) throw new TypeError(`--idle must be a number of milliseconds > 0, got "${values.idle}"`);
    }
  } catch (e) {
    return usage('relay', (e as Error).message);
  }

  let relay: UdpRelay;
  try {
    relay = await startUdpRelay({ listen: typeof values.listen === 'string' ? values.listen : undefined, to, impair, idleMs });
  } catch (e) {
    if (e instanceof HilrigError && e.code !== 'BAD_URL') {
      process.stderr.write(`hilrig relay: ${e.message}\n`);
      return Exit.RIG_ERROR;
    }
    return usage('relay', (e as Error).message);
  }
  process.stdout.write(`ready ${relay.url}\n`);
  process.stderr.write(`relay ${relay.url} -> ${to}, impairment ${formatImpairOptions(relay.options)}\n`);

  let stop: (sig: NodeJS.Signals) => void = () => undefined;
  const signalled = new Promise<NodeJS.Signals>((resolve) => (stop = resolve));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // the relay runs until a signal, or until its socket fails under it
  const ended = await Promise.race([signalled.then((signal) => ({ signal })), relay.closed.then((reason) => ({ reason }))]);
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  await relay.close();
  if ('reason' in ended) {
    process.stderr.write(`hilrig relay: the relay's socket closed: ${ended.reason}\n`);
    return Exit.RIG_ERROR;
  }
  const signal = ended.signal;
  const s = relay.stats;
  if (values.json) {
    const out = { signal, peers: s.peers, toServer: s.toServer, toClient: s.toClient, upstreamErrors: s.upstreamErrors, seed: relay.options.seed };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  } else {
    process.stdout.write(
      `stopped by ${signal}: ${s.peers} client${s.peers === 1 ? '' : 's'}, seed ${relay.options.seed}\n` +
        `to server: ${formatCounters(s.toServer)}\n` +
        `to client: ${formatCounters(s.toClient)}\n` +
        `upstream errors: ${s.upstreamErrors}\n`,
    );
  }
  return Exit.OK;
}

/** --impair first, then each single flag over it; errors name the flag. */
function impairFromFlags(values: Record<string, string | boolean | undefined>): ImpairOptions {
  let opts: ImpairOptions = {};
  if (typeof values.impair === 'string') {
    try {
      opts = parseImpairOptions(values.impair);
    } catch (e) {
      throw new TypeError(`--impair: ${(e as Error).message}`);
    }
  }
  for (const [flag, key] of Object.entries(IMPAIR_FLAGS)) {
    const v = values[flag];
    if (typeof v !== 'string') continue;
    try {
      opts = { ...opts, ...parseImpairOptions(`${key}=${v}`) };
    } catch (e) {
      // the flag already says which setting: drop the parser's own `impair setting "k=v": ` prefix
      throw new TypeError(`--${flag} ${v}: ${(e as Error).message.replace(/^impair setting "[^"]*": /, '')}`);
    }
  }
  return opts;
}


