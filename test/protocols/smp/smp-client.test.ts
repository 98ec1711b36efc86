// The SMP client over real UDP on 127.0.0.1, both ends on the engine with a VirtualClock: a tiny
// SMP responder (setProtocolSmpUdp on a listener) answers, holds or mangles requests, and the
// client must match responses by sequence number, keep its window, and time out on the clock.
import assert from 'node:assert/strict';
import { type Connection, Ev, Manager, PROTO_EV_BASE, VirtualClock } from '../../../rig/index.js';
import { echoRequest, imageStateRequest, readEcho, readImageState, SmpResponseError } from '../../../protocols/smp/smp-groups.js';
import { isRequestOp, responseTo, type SmpBody, type SmpMessage } from '../../../protocols/smp/smp-header.js';
import {
  sendSmp,
  SMP_EV_BASE,
  SMP_UDP_PORT,
  type SmpClient,
  type SmpClientOptions,
  SmpEv,
  type SmpEvents,
  SmpRequestError,
  setProtocolSmpUdp,
  smpRequest,
  smpUdpUrl,
} from '../../../protocols/smp/smp-protocol.js';
import { waitFor, within } from '../../helpers/wait.js';

/** What the responder does with a request: answer with this body, hold it, or send this message instead. */
type Policy = (req: SmpMessage) => { body: SmpBody } | { message: SmpMessage } | 'hold';

interface Rig {
  vclock: VirtualClock;
  mgr: Manager;
  client: Connection;
  smp: SmpClient;
  /** requests as the responder saw them, with the child connection that got them */
  seen: { c: Connection; req: SmpMessage }[];
  held: { c: Connection; req: SmpMessage }[];
  events: { ev: number; data: unknown }[];
  policy: Policy;
}

const echoBack: Policy = (req) => ({ body: { r: String(req.body?.d) } });

async function rig(opts: SmpClientOptions): Promise<Rig> {
  const vclock = new VirtualClock(0);
  const mgr = new Manager({ clock: vclock, pollMs: 0 });
  const r = { vclock, mgr, seen: [], held: [], events: [], policy: echoBack } as unknown as Rig;
  const server = mgr.listen<SmpEvents>('udp://127.0.0.1:0', (c, ev, data) => {
    if (ev !== SmpEv.Message || !isRequestOp(data.message.op)) return;
    const req = data.message;
    r.seen.push({ c, req });
    const what = r.policy(req);
    if (what === 'hold') r.held.push({ c, req });
    else sendSmp(c, 'message' in what ? what.message : responseTo(req, what.body));
  });
  setProtocolSmpUdp(server);
  await server.ready;
  r.client = mgr.connect<SmpEvents>(server.local, (_c, ev, data) => {
    if (ev >= SMP_EV_BASE) r.events.push({ ev, data });
    if (ev === Ev.Error) r.events.push({ ev, data });
  });
  r.smp = setProtocolSmpUdp(r.client, opts)!;
  await r.client.ready;
  return r;
}

const answer = (h: { c: Connection; req: SmpMessage }, body: SmpBody = { r: String(h.req.body?.d) }): boolean => sendSmp(h.c, responseTo(h.req, body));
const tick = (): Promise<void> => new Promise((res) => setImmediate(res));

describe('SMP client over UDP (VirtualClock)', () => {
  let r: Rig | undefined;
  afterEach(async () => {
    await r?.mgr.shutdown();
    r = undefined;
  });

  it('numbers its events from PROTO_EV_BASE * 6 and knows the SMP UDP port', () => {
    assert.equal(SMP_EV_BASE, PROTO_EV_BASE * 6);
    assert.equal(SmpEv.Text, SMP_EV_BASE + 1);
    assert.equal(SMP_UDP_PORT, 1337);
    assert.equal(smpUdpUrl('192.0.2.7'), 'udp://192.0.2.7:1337');
    assert.equal(smpUdpUrl('::1', 9000), 'udp://[::1]:9000');
  });

  it('matches each response to its request, numbering requests from 0, SMP v2 by default', async () => {
    r = await rig({});
    const texts = ['one', 'two', 'three'];
    const got: string[] = [];
    for (const t of texts) got.push(readEcho(await within(smpRequest(r.client, echoRequest(t)), 5000, `echo ${t}`)));
    assert.deepEqual(got, texts);
    assert.deepEqual(
      r.seen.map((s) => [s.req.seq, s.req.version, s.req.group, s.req.id]),
      [
        [0, 1, 0, 0],
        [1, 1, 0, 0],
        [2, 1, 0, 0],
      ],
    );
    const responses = r.events.filter((e) => e.ev === SmpEv.Response).map((e) => e.data as { request: SmpMessage; response: SmpMessage; rttMs: number });
    assert.deepEqual(
      responses.map((x) => [x.request.seq, x.response.seq, x.rttMs]),
      [
        [0, 0, 0],
        [1, 1, 0],
        [2, 2, 0],
      ],
    );
    assert.equal(r.events.filter((e) => e.ev === SmpEv.Sent).length, 3);
  });

  it('keeps at most `window` requests in flight and matches answers given in reverse order', async () => {
    r = await rig({ window: 3 });
    const rr = r;
    rr.policy = () => 'hold';
    const texts = ['a', 'b', 'c', 'd', 'e'];
    const results = texts.map((t) => smpRequest(rr.client, echoRequest(t)).then(readEcho));
    await waitFor(() => rr.seen.length === 3, 'three requests at the responder');
    await tick();
    assert.equal(rr.seen.length, 3, 'no fourth request while three are in flight');
    assert.equal(rr.smp.outstanding, 3);
    assert.equal(rr.smp.queued, 2);
    // answer the newest held request each time: responses come back out of order
    while (rr.held.length > 0) {
      const h = rr.held.pop()!;
      const before = rr.seen.length;
      assert.ok(answer(h));
      if (before < texts.length) await waitFor(() => rr.seen.length === before + 1, 'the next queued request');
    }
    assert.deepEqual(await within(Promise.all(results), 5000, 'all five answers'), texts);
    assert.deepEqual(
      rr.seen.map((s) => s.req.body?.d),
      texts,
      'sent in the order asked',
    );
    assert.deepEqual(
      rr.seen.map((s) => s.req.seq),
      [0, 1, 2, 3, 4],
    );
  });

  it('times out on the manager clock, reports the late answer as Unmatched, and carries on', async () => {
    r = await rig({ timeoutMs: 1000 });
    const rr = r;
    rr.policy = () => 'hold';
    let outcome: unknown;
    const p = smpRequest(rr.client, echoRequest('slow')).then(
      (m) => (outcome = m),
      (e: unknown) => (outcome = e),
    );
    await waitFor(() => rr.held.length === 1, 'the request at the responder');
    rr.vclock.advance(999);
    await tick();
    // read through a function: assert.equal narrows `outcome` itself to undefined for good
    const now = (): unknown => outcome;
    assert.equal(now(), undefined, 'still waiting 1 ms before the deadline');
    rr.vclock.advance(1);
    await p;
    const err = now();
    assert.ok(err instanceof SmpRequestError, String(err));
    assert.equal(err.reason, 'timeout');
    assert.equal(err.code, 'TIMEOUT');
    assert.match(err.message, /echo \(sequence number 0\): no response within 1000 ms/);
    assert.equal(rr.smp.outstanding, 0);

    answer(rr.held.shift()!);
    await waitFor(() => rr.events.some((e) => e.ev === SmpEv.Unmatched), 'the late answer');
    const un = rr.events.find((e) => e.ev === SmpEv.Unmatched)!.data as { message: SmpMessage; reason: string };
    assert.equal(un.message.seq, 0);
    assert.match(un.reason, /no request in flight has sequence number 0/);

    rr.policy = echoBack;
    assert.equal(readEcho(await within(smpRequest(rr.client, { ...echoRequest('next'), timeoutMs: 50 }), 5000, 'the next echo')), 'next');
    assert.equal(rr.seen[1]!.req.seq, 1);
  });

  it('gives each request its own deadline: a short one fails while a long one still waits', async () => {
    r = await rig({ timeoutMs: 1000, window: 2 });
    const rr = r;
    rr.policy = () => 'hold';
    const failures: string[] = [];
    const short = smpRequest(rr.client, { ...echoRequest('short'), timeoutMs: 100 }).catch((e: SmpRequestError) => failures.push(`short ${e.reason}`));
    const long = smpRequest(rr.client, echoRequest('long')).then(readEcho);
    await waitFor(() => rr.held.length === 2, 'both requests at the responder');
    rr.vclock.advance(100);
    await short;
    assert.deepEqual(failures, ['short timeout']);
    answer(rr.held[1]!);
    assert.equal(await within(long, 5000, 'the long request'), 'long');
  });

  it("fails a request whose response repeats the sequence number but not the command ('mismatch')", async () => {
    r = await rig({});
    r.policy = (req) => ({ message: { ...responseTo(req, {}), id: req.id + 1 } });
    await assert.rejects(
      within(smpRequest(r.client, echoRequest('x')), 5000, 'the answer'),
      (e: unknown) => e instanceof SmpRequestError && e.reason === 'mismatch' && /is write-rsp group 0 id 1 seq 0, the request was write group 0 id 0 seq 0/.test(e.message),
    );
  });

  it('turns an SMP v2 group error into SmpResponseError with its description', async () => {
    r = await rig({});
    r.policy = () => ({ body: { err: { group: 1, rc: 3 } } });
    const res = await within(smpRequest(r.client, imageStateRequest()), 5000, 'the state answer');
    assert.throws(
      () => readImageState(res),
      (e: unknown) => e instanceof SmpResponseError && e.message === 'image state: the device answered image group: 3 (IMG_MGMT_ERR_NO_IMAGE: no image in the slot)',
    );
  });

  it("reports a datagram that is not an SMP message as Dropped 'malformed', never fatal", async () => {
    r = await rig({});
    r.policy = (req) => ({ message: { ...responseTo(req), body: undefined, data: Uint8Array.of(0x81, 0x01) } });
    const rr = r;
    const p = smpRequest(rr.client, { ...echoRequest('x'), timeoutMs: 100 }).catch((e: SmpRequestError) => e.reason);
    await waitFor(() => rr.events.some((e) => e.ev === SmpEv.Dropped), 'the Dropped event');
    const d = rr.events.find((e) => e.ev === SmpEv.Dropped)!.data as { reason: string; rule: string };
    assert.equal(d.reason, 'malformed');
    assert.match(d.rule, /CBOR map; got an array/);
    rr.vclock.advance(100);
    assert.equal(await p, 'timeout');
    assert.ok(!rr.client.isClosed);
  });

  it("fails what is open or queued with 'closed' when the connection closes", async () => {
    r = await rig({});
    const rr = r;
    rr.policy = () => 'hold';
    const a = smpRequest(rr.client, echoRequest('a')).catch((e: SmpRequestError) => e.reason);
    const b = smpRequest(rr.client, echoRequest('b')).catch((e: SmpRequestError) => e.reason);
    await waitFor(() => rr.held.length === 1, 'the first request at the responder');
    rr.client.close();
    assert.deepEqual(await within(Promise.all([a, b]), 5000, 'both failures'), ['closed', 'closed']);
    await assert.rejects(smpRequest(rr.client, echoRequest('late')), (e: unknown) => e instanceof SmpRequestError && e.reason === 'closed');
  });
});
