// Engine overhead: UDP request/response round trips per second through Manager/Connection
// (client and echo server both on the engine) versus bare node:dgram (both bare), measured in
// the same process, in alternating rounds, so machine drift hits both alike.
//   node dist/bench/engine-udp-rtt.js                  both, interleaved, prints the ratio
//   node dist/bench/engine-udp-rtt.js --mode engine    one mode (for whole-process timing)
import dgram from 'node:dgram';
import { parseArgs } from 'node:util';
import { Ev, Manager } from '../rig/index.js';

type Mode = 'engine' | 'bare';
const payload = new Uint8Array(32).fill(0x42);

/** Round trips, one in flight at a time, until `count` are done; returns round trips/s. */
async function bare(count: number): Promise<number> {
  const server = dgram.createSocket('udp4');
  server.on('message', (m, r) => server.send(m, r.port, r.address));
  await new Promise<void>((res) => server.bind(0, '127.0.0.1', res));
  const client = dgram.createSocket('udp4');
  await new Promise<void>((res) => client.connect(server.address().port, '127.0.0.1', res));
  const start = performance.now();
  await new Promise<void>((done) => {
    let n = 0;
    client.on('message', () => (++n === count ? done() : client.send(payload)));
    client.send(payload);
  });
  const rate = count / ((performance.now() - start) / 1000);
  client.close();
  server.close();
  return rate;
}

async function engine(count: number): Promise<number> {
  const mgr = new Manager();
  const l = mgr.listen('udp://127.0.0.1:0', (c, ev) => {
    if (ev === Ev.Recv) c.send(c.recv.toBytes());
  });
  await l.ready;
  const start = performance.now();
  await new Promise<void>((done) => {
    let n = 0;
    mgr.connect(l.local, (c, ev) => {
      if (ev === Ev.Connect) c.send(payload);
      if (ev === Ev.Recv) {
        c.recv.clear();
        if (++n === count) done();
        else c.send(payload);
      }
    });
  });
  const rate = count / ((performance.now() - start) / 1000);
  await mgr.shutdown();
  return rate;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { mode: { type: 'string' }, count: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '7' } } });
  const count = Number(values.count);
  const run = (m: Mode): Promise<number> => (m === 'engine' ? engine(count) : bare(count));
  if (values.mode === 'engine' || values.mode === 'bare') {
    const rate = await run(values.mode);
    console.log(`${values.mode}: ${rate.toFixed(0)} round trips/s`);
    return;
  }
  await run('bare');
  await run('engine'); // warm-up: JIT both paths before counting
  const ratios: number[] = [];
  const rates: Record<Mode, number[]> = { engine: [], bare: [] };
  for (let i = 0; i < Number(values.rounds); i++) {
    const b = await run('bare');
    const e = await run('engine');
    rates.bare.push(b);
    rates.engine.push(e);
    ratios.push(e / b);
  }
  const r = median(ratios);
  console.log(`UDP round trips on loopback, ${count} per round, ${values.rounds} rounds (median):`);
  console.log(`  bare dgram     ${median(rates.bare).toFixed(0)} round trips/s`);
  console.log(`  hilrig engine  ${median(rates.engine).toFixed(0)} round trips/s`);
  console.log(`  engine/bare    ${r.toFixed(3)}  (engine overhead ${((1 - r) * 100).toFixed(1)}%; goal < 15%)`);
}

await main();
