// What Q-Block1 would reach with other congestion control parameters than the ones `hilrig coap
// --qblock` and the virtual board use: RFC 9177 §7.2 makes MAX_PAYLOADS configurable (default
// 10) and wants both ends to use the same value, and neither the CLI nor `hilrig sim` can set
// it. So both ends run in this process, agreeing on MAX_PAYLOADS, with a `hilrig relay` process
// between them giving the link its delay: qblock1Put on the engine, and a server whose one
// resource is a QBlock1Receiver with the same parameters.
import { udpDriver } from '../../drivers/udp/udp-driver.js';
import { qblock1Put, qblockParams, QBlock1Receiver } from '../../protocols/coap/block/index.js';
import { CoapCode, describeCode } from '../../protocols/coap/coap-codes.js';
import { CoapEv, type CoapEvents } from '../../protocols/coap/coap-events.js';
import { CoapOptionNumber } from '../../protocols/coap/coap-options.js';
import { resolveParams } from '../../protocols/coap/coap-params.js';
import { coapEndpoint, setProtocolCoap } from '../../protocols/coap/coap-protocol.js';
import { connectCoap } from '../../rig/coap/connect-coap.js';
import { Manager } from '../../rig/engine/manager.js';
import { differs } from './bodies.js';
import { portOf, startRelay } from './coap-peers.js';
import { within } from './procs.js';

export interface WhatIfRun {
  maxPayloads: number;
  ms: number;
  roundTrips: number;
  datagrams: number;
}

/** How often the receiver checks for missing blocks (NON_RECEIVE_TIMEOUT is seconds; this only bounds the lag). */
const RECEIVER_POLL_MS = 50;

/**
 * Upload `body` with Q-Block1 `rounds` times for each MAX_PAYLOADS in `settings` (interleaved),
 * through a relay delaying each datagram `delayMs` each way; every upload is checked byte for byte.
 */
export async function qblockWhatIf(body: Uint8Array, settings: readonly number[], rounds: number, delayMs: number, timeoutMs: number): Promise<WhatIfRun[]> {
  const smgr = new Manager({ drivers: { udp: udpDriver }, pollMs: 0 });
  const cmgr = new Manager({ drivers: { udp: udpDriver }, pollMs: 0 });
  let receiver: QBlock1Receiver | undefined;
  let stored: Uint8Array | undefined;
  const server = smgr.listen<CoapEvents>('udp://127.0.0.1:0', (c, ev, data) => {
    if (ev !== CoapEv.Request) return;
    if (!receiver?.receive(data, coapEndpoint(c), smgr.clock.now())) data.respond({ code: CoapCode.BAD_REQUEST, payload: 'this server takes Q-Block1 PUTs only' });
  });
  // Q-Block1 is critical (RFC 9177 §4): without this the endpoint would reject it with 4.02
  setProtocolCoap(server, { server: true, recognizedOptions: [CoapOptionNumber.Q_BLOCK1] });
  smgr.addTimer(RECEIVER_POLL_MS, (now) => receiver?.poll(now), { repeat: true });
  let relay: Awaited<ReturnType<typeof startRelay>> | undefined;
  const out: WhatIfRun[] = [];
  try {
    await server.ready;
    relay = await startRelay(portOf(server.local), delayMs, { timeoutMs: 10_000 });
    const link = connectCoap(cmgr, `coap://127.0.0.1:${relay.port}`, () => undefined, { random: Math.random });
    await link.c.ready;
    const once = async (maxPayloads: number): Promise<WhatIfRun> => {
      const params = { maxPayloads };
      stored = undefined;
      receiver = new QBlock1Receiver({
        maxBodySize: body.length,
        params: qblockParams(resolveParams(), params),
        onBody: (b) => ((stored = b), { code: CoapCode.CHANGED }),
      });
      const t0 = performance.now();
      // probe: true, as a fresh `hilrig coap` process does (the endpoint would remember support)
      const put = qblock1Put(link.ep, { path: '/what-if' }, body, { szx: 6, method: 'PUT', clock: cmgr.clock, params, probe: true });
      const r = await within(put, timeoutMs, `Q-Block1 with MAX_PAYLOADS ${maxPayloads}`);
      const ms = performance.now() - t0;
      if (r.code !== CoapCode.CHANGED || !r.usedQBlock) throw new Error(`Q-Block1 with MAX_PAYLOADS ${maxPayloads}: answered ${describeCode(r.code)}${r.usedQBlock ? '' : ' (fell back to Block1)'}`);
      const d = stored ? differs(body, stored) : 'the receiver got no body';
      if (d) throw new Error(`Q-Block1 with MAX_PAYLOADS ${maxPayloads}: not byte-identical: ${d}`);
      return { maxPayloads, ms, roundTrips: r.stats.roundTrips, datagrams: r.stats.transmissions };
    };
    for (const m of settings) await once(m); // warm-up: JIT both ends before counting
    for (let i = 0; i < rounds; i++) for (const m of settings) out.push(await once(m));
    return out;
  } finally {
    await cmgr.shutdown();
    await smgr.shutdown();
    await relay?.stop();
  }
}
