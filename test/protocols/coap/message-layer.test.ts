// The CoAP message layer over real UDP on loopback, on a virtual clock: retransmission instants,
// deduplication, separate responses, NON, RST, ping, NSTART, token matching.
import assert from 'node:assert/strict';
import { Connection, Ev, Manager, VirtualClock } from '../../../rig/index.js';
import { parseCoap, serializeCoap } from '../../../protocols/coap/coap-codec.js';
import { CoapEv, type CoapEvents } from '../../../protocols/coap/coap-events.js';
import { coapEndpoint, setProtocolCoap } from '../../../protocols/coap/coap-protocol.js';
import { CoapRequestError } from '../../../protocols/coap/client-requests.js';
import type { CoapExchange } from '../../../protocols/coap/server-exchange.js';
import { type CoapMessage, CoapType } from '../../../protocols/coap/coap-types.js';
import { waitFor } from '../../helpers/wait.js';

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

interface Rig {
  clock: VirtualClock;
  mgr: Manager;
  server: Connection;
  client: Connection;
  /** every message the client saw arrive / leave */
  inbox: CoapMessage[];
  sent: { msg: CoapMessage; retransmission: number; at: number }[];
  requests: CoapExchange[];
}

/** A CoAP server and client on the engine; `serve` answers each request. */
async function rig(serve: (x: CoapExchange) => void, opts: { serverDedup?: boolean } = {}): Promise<Rig> {
  const clock = new VirtualClock(0);
  const mgr = new Manager({ clock, pollMs: 0 });
  const requests: CoapExchange[] = [];
  const server = mgr.listen<CoapEvents>('udp://127.0.0.1:0', (_c, ev, data) => {
    if (ev === CoapEv.Request) {
      requests.push(data);
      serve(data);
    }
  });
  setProtocolCoap(server, { server: true, dedup: opts.serverDedup, random: () => 0.5 });
  await server.ready;
  const inbox: CoapMessage[] = [];
  const sent: Rig['sent'] = [];
  const client = mgr.connect<CoapEvents>(server.local, (_c, ev, data) => {
    if (ev === CoapEv.Con || ev === CoapEv.Non || ev === CoapEv.Ack || ev === CoapEv.Rst) inbox.push(data);
    if (ev === CoapEv.Sent) sent.push({ msg: data.msg, retransmission: data.retransmission, at: clock.now() });
  });
  setProtocolCoap(client, { random: () => 0 });
  await client.ready;
  return { clock, mgr, server, client, inbox, sent, requests };
}

describe('CoAP message layer (RFC 7252 §4) over UDP', () => {
  let r: Rig | undefined;
  afterEach(async () => {
    await r?.mgr.shutdown();
    r = undefined;
  });

  it('a CON GET gets a piggybacked response with the same MID and token', async () => {
    r = await rig((x) => x.respond({ code: 0x45, payload: 'hello', contentFormat: 0 }));
    const res = await coapEndpoint(r.client).request({ method: 'GET', path: '/test' });
    assert.equal(res.msg.type, CoapType.ACK);
    assert.equal(res.msg.mid, res.request.mid);
    assert.deepEqual(res.msg.token, res.request.token);
    assert.equal(text(res.msg.payload), 'hello');
    assert.equal(res.transmissions, 1);
  });

  it('retransmits a CON at 2, 6, 14, 30 s and gives up at 62 s (ACK_TIMEOUT 2 s, factor drawn at 1, back-off ×2)', async () => {
    r = await rig(() => undefined);
    // point the client at a silent UDP socket: a listener without CoAP that never answers
    const silent = r.mgr.listen('udp://127.0.0.1:0', () => undefined);
    await silent.ready;
    const c = r.mgr.connect<CoapEvents>(silent.local, (_c, ev, data) => {
      if (ev === CoapEv.Sent) r!.sent.push({ msg: data.msg, retransmission: data.retransmission, at: r!.clock.now() });
    });
    setProtocolCoap(c, { random: () => 0 });
    await c.ready;
    const p = coapEndpoint(c).request({ method: 'GET', path: '/x' });
    let failure: unknown;
    p.catch((e: unknown) => (failure = e));
    for (let t = 0; t < 62_000; t += 500) r.clock.advance(500);
    await waitFor(() => failure !== undefined, 'give-up');
    assert.deepEqual(
      r.sent.map((s) => [s.at, s.retransmission]),
      [
        [0, 0],
        [2000, 1],
        [6000, 2],
        [14000, 3],
        [30000, 4],
      ],
    );
    assert.ok(failure instanceof CoapRequestError);
    assert.equal(failure.reason, 'gave-up');
    assert.match(failure.message, /CON 0\.01 \(MID 0x[0-9a-f]{4}\) got no ACK after 5 transmissions/);
  });

  it('a duplicate CON is answered with the same ACK bytes and not processed twice', async () => {
    r = await rig((x) => x.respond({ code: 0x45, payload: String(Date.now()) }));
    const req = serializeCoap({ version: 1, type: 0, code: 1, mid: 0x1a2b, token: Uint8Array.of(7), options: [], payload: new Uint8Array(0) }).slice();
    const answers: Uint8Array[] = [];
    const raw = r.mgr.connect(r.server.local, (c, ev) => {
      if (ev === Ev.Recv) answers.push(c.recv.toBytes());
    });
    await raw.ready;
    raw.send(req);
    await waitFor(() => answers.length === 1, 'first answer');
    raw.send(req);
    await waitFor(() => answers.length === 2, 'answer to the duplicate');
    assert.deepEqual(answers[1], answers[0]);
    assert.equal(r.requests.length, 1, 'the handler ran once');
  });

  it('without deduplication (a bug mode) the duplicate is processed again', async () => {
    r = await rig((x) => x.respond({ code: 0x45 }), { serverDedup: false });
    const req = serializeCoap({ version: 1, type: 0, code: 1, mid: 0x1a2b, token: Uint8Array.of(7), options: [], payload: new Uint8Array(0) }).slice();
    let n = 0;
    const raw = r.mgr.connect(r.server.local, (_c, ev) => ev === Ev.Recv && n++);
    await raw.ready;
    raw.send(req);
    raw.send(req);
    await waitFor(() => n === 2, 'two answers');
    assert.equal(r.requests.length, 2);
  });

  it('a slow server sends an empty ACK, then a separate CON response the client acknowledges', async () => {
    let held: CoapExchange | undefined;
    r = await rig((x) => (held = x));
    const p = coapEndpoint(r.client).request({ method: 'GET', path: '/separate' });
    await waitFor(() => held !== undefined, 'request at the server');
    r.clock.advance(600); // past separateAfterMs: the server acknowledges
    await waitFor(() => r!.inbox.some((m) => m.type === CoapType.ACK && m.code === 0), 'empty ACK');
    held!.respond({ code: 0x45, payload: 'late' });
    const res = await p;
    assert.equal(res.msg.type, CoapType.CON);
    assert.notEqual(res.msg.mid, res.request.mid);
    assert.equal(text(res.msg.payload), 'late');
    const ackOfResponse = r.sent.find((s) => s.msg.type === CoapType.ACK && s.msg.mid === res.msg.mid);
    assert.ok(ackOfResponse, 'the client acknowledged the separate response');
  });

  it('a NON request gets a NON response', async () => {
    r = await rig((x) => x.respond({ code: 0x45, payload: 'n' }));
    const res = await coapEndpoint(r.client).request({ method: 'GET', path: '/test', confirmable: false });
    assert.equal(res.msg.type, CoapType.NON);
  });

  it('an unrecognized critical option in a CON gets 4.02 Bad Option; in a NON an RST', async () => {
    r = await rig((x) => x.respond({ code: 0x45 }));
    const ep = coapEndpoint(r.client);
    const res = await ep.request({ method: 'GET', path: '/test', options: [{ number: 2049, value: 'x' }] });
    assert.equal(res.msg.code, 0x82);
    const p = ep.request({ method: 'GET', path: '/test', confirmable: false, options: [{ number: 2049, value: 'x' }], timeoutMs: 1000 });
    p.catch(() => undefined);
    await waitFor(() => r!.inbox.some((m) => m.type === CoapType.RST), 'RST for the NON');
    assert.equal(r.requests.length, 0, 'the handler never saw either request');
  });

  it('a malformed CON with a readable header is rejected with an RST carrying its MID', async () => {
    r = await rig((x) => x.respond({ code: 0x45 }));
    const answers: Uint8Array[] = [];
    const raw = r.mgr.connect(r.server.local, (c, ev) => {
      if (ev === Ev.Recv) answers.push(c.recv.toBytes());
    });
    await raw.ready;
    raw.send(Uint8Array.of(0x49, 0x01, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9)); // token length 9
    await waitFor(() => answers.length === 1, 'RST');
    const rst = parseCoap(answers[0]!);
    assert.equal(rst.kind, 'ok');
    if (rst.kind === 'ok') {
      assert.equal(rst.value.type, CoapType.RST);
      assert.equal(rst.value.mid, 0xbeef);
    }
  });

  it('CoAP ping: an empty CON is answered with RST', async () => {
    r = await rig(() => undefined);
    assert.equal(await coapEndpoint(r.client).ping(), 'pong');
    assert.ok(r.inbox.some((m) => m.type === CoapType.RST && m.code === 0));
  });

  it('NSTART 1: a second CON waits until the first is acknowledged', async () => {
    r = await rig((x) => x.respond({ code: 0x45 }));
    const ep = coapEndpoint(r.client);
    const [a, b] = await Promise.all([ep.request({ method: 'GET', path: '/a' }), ep.request({ method: 'GET', path: '/b' })]);
    const requests = r.sent.filter((s) => s.msg.code === 1);
    assert.equal(requests.length, 2);
    const ackA = r.inbox.findIndex((m) => m.mid === a.request.mid);
    assert.ok(ackA >= 0);
    assert.equal(b.transmissions, 1);
  });
});
