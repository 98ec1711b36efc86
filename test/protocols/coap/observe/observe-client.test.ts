// The Observe client (RFC 7641 §3) against an ObservableResource, over real UDP on 127.0.0.1 on
// a VirtualClock: registration, CON and NON notifications, freshness over the wire, the end of
// an observation, Max-Age re-registration, and the recorder's ordering check.
import assert from 'node:assert/strict';
import { observeValue, uriPath } from '../../../../protocols/coap/coap-options.js';
import { CoapType } from '../../../../protocols/coap/coap-types.js';
import type { CoapResponse } from '../../../../protocols/coap/client-requests.js';
import { OBSERVE_SEQ_MODULUS, REORDER_WINDOW_MS } from '../../../../protocols/coap/observe/freshness.js';
import { type NotificationInfo, observe, type ObserveEndReason } from '../../../../protocols/coap/observe/observe-client.js';
import { ObserveRecorder } from '../../../../protocols/coap/observe/observe-recorder.js';
import { waitFor } from '../../../helpers/wait.js';
import { coapMessage, type ObsRig, observeRig, type RigOptions, text } from './observe-rig.js';

interface Seen {
  rec: ObserveRecorder;
  infos: NotificationInfo[];
  ends: { reason: ObserveEndReason; res?: CoapResponse }[];
}

function watcher(): Seen & { opts: Parameters<ObserveRecorder['attach']>[0] } {
  const s: Seen = { rec: new ObserveRecorder(), infos: [], ends: [] };
  return { ...s, opts: { onNotification: (_res, info) => s.infos.push(info), onEnd: (reason, res) => s.ends.push(res ? { reason, res } : { reason }) } };
}

describe('Observe client (RFC 7641 §3) over UDP', () => {
  let r: ObsRig | undefined;
  afterEach(async () => {
    await r?.mgr.shutdown();
    r = undefined;
  });

  /** notify and wait until the client has it and the server has settled it */
  async function push(rig: ObsRig, s: Seen, state: number): Promise<void> {
    const before = s.rec.entries.length;
    rig.resource.notify(state);
    await waitFor(() => s.rec.entries.length === before + 1, `notification of state ${state}`);
    await waitFor(() => rig.resource.observers.all().every((o) => o.inFlightMid === undefined), 'the ACK at the server');
  }

  async function start(opts: RigOptions = {}): Promise<{ rig: ObsRig; s: ReturnType<typeof watcher>; h: ReturnType<typeof observe> }> {
    r = await observeRig(opts);
    const s = watcher();
    const h = observe(r.ep, { path: '/obs' }, s.rec.attach(s.opts));
    await h.registered;
    return { rig: r, s, h };
  }

  it('registers with GET Observe=0 and gets N CON notifications in order, each ACKed', async () => {
    const { rig, s, h } = await start();
    const reg = rig.clientOut[0]!;
    assert.equal(reg.code, 0x01, 'GET');
    assert.equal(observeValue(reg), 0, 'Observe=0 registers (§3.1)');
    assert.deepEqual(reg.token, h.token);
    for (let i = 1; i <= 5; i++) await push(rig, s, i);
    assert.deepEqual(s.rec.texts(), ['n=0', 'n=1', 'n=2', 'n=3', 'n=4', 'n=5']);
    assert.deepEqual(s.rec.seqs, [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(s.rec.entries.map((e) => e.type), ['ACK', 'CON', 'CON', 'CON', 'CON', 'CON']);
    assert.ok(s.infos.every((i) => i.fresh));
    assert.equal(s.infos[0]!.registration, true);
    assert.ok(s.infos.slice(1).every((i) => !i.registration));
    const acks = rig.clientOut.filter((m) => m.type === CoapType.ACK).map((m) => m.mid);
    assert.deepEqual(acks, s.rec.entries.slice(1).map((e) => e.mid), 'the endpoint ACKed every CON notification');
    assert.equal(s.rec.checkFreshAndIncreasing().ok, true);
    assert.equal(h.active, true);
  });

  it('NON notifications are delivered and not acknowledged', async () => {
    const { rig, s } = await start({ confirmable: false });
    for (let i = 1; i <= 3; i++) await push(rig, s, i);
    assert.deepEqual(s.rec.entries.map((e) => e.type), ['ACK', 'NON', 'NON', 'NON']);
    assert.equal(rig.clientOut.filter((m) => m.type === CoapType.ACK).length, 0);
    assert.equal(s.rec.checkFreshAndIncreasing().ok, true);
  });

  it('with NON notifications and conEvery 3, every third one is CON (§4.5)', async () => {
    const { rig, s } = await start({ confirmable: false, conEvery: 3 });
    for (let i = 1; i <= 6; i++) await push(rig, s, i);
    assert.deepEqual(s.rec.entries.slice(1).map((e) => e.type), ['NON', 'NON', 'CON', 'NON', 'NON', 'CON']);
  });

  it('a reordered (older) notification is reported with fresh=false and does not displace the fresher one', async () => {
    const { rig, s } = await start({ confirmable: false });
    await push(rig, s, 1);
    await push(rig, s, 2); // seqs 1 (registration), 2, 3
    const o = rig.resource.observers.all()[0]!;
    // a datagram from the server's socket, as if the notification with Observe 2 had been delayed
    const late = coapMessage({ type: CoapType.NON, code: 0x45, mid: 0x7777, token: o.token, options: [{ number: 6, value: Uint8Array.of(2) }], payload: new TextEncoder().encode('n=late') });
    o.ep.send(late, 'notification');
    await waitFor(() => s.rec.entries.length === 4, 'the late notification');
    const info = s.infos[3]!;
    assert.equal(info.fresh, false);
    assert.equal(info.seq, 2);
    assert.deepEqual(info.previous?.seq, 3);
    await push(rig, s, 3);
    assert.equal(s.infos[4]!.fresh, true, 'seq 4 is fresher than 3, the freshest, not merely than the stale 2');
    const check = s.rec.checkFreshAndIncreasing();
    assert.equal(check.ok, false);
    assert.deepEqual(check.violations.map((v) => v.index), [3]);
    assert.match(check.violations[0]!.detail, /Observe 2, not fresher than 3/);
  });

  it('more than 128 s after the freshest, a lower sequence number is fresh (§3.4)', async () => {
    const { rig, s } = await start({ confirmable: false, initialSeq: 1000 });
    const o = rig.resource.observers.all()[0]!;
    rig.vclock!.advance(REORDER_WINDOW_MS + 1);
    o.ep.send(coapMessage({ type: CoapType.NON, code: 0x45, mid: 0x4242, token: o.token, options: [{ number: 6, value: Uint8Array.of(5) }] }), 'notification');
    await waitFor(() => s.rec.entries.length === 2, 'the notification after 128 s');
    assert.equal(s.infos[1]!.seq, 5);
    assert.equal(s.infos[1]!.fresh, true);
  });

  it('sequence numbers wrap at 2^24 and stay fresh', async () => {
    const { rig, s } = await start({ initialSeq: OBSERVE_SEQ_MODULUS - 2 });
    await push(rig, s, 1);
    await push(rig, s, 2);
    assert.deepEqual(s.rec.seqs, [OBSERVE_SEQ_MODULUS - 1, 0, 1]);
    assert.ok(s.infos.every((i) => i.fresh));
    assert.equal(s.rec.checkFreshAndIncreasing().ok, true);
  });

  for (const confirmable of [true, false]) {
    const kind = confirmable ? 'CON' : 'NON';
    it(`cancel by RST: the client forgets the token, answers the next ${kind} notification with RST, the server removes it`, async () => {
      const { rig, s, h } = await start({ confirmable });
      await push(rig, s, 1);
      assert.equal(await h.cancel({ how: 'rst' }), undefined);
      assert.equal(h.active, false);
      assert.deepEqual(s.ends.map((e) => e.reason), ['cancelled']);
      assert.equal(rig.resource.notify(2), 1, 'the server still has the observer until the RST');
      await waitFor(() => rig.removed.length === 1, 'the observer removed');
      assert.equal(rig.removed[0]!.why, 'rst');
      const notification = rig.serverOut.at(-1)!.msg;
      const rst = rig.clientOut.at(-1)!;
      assert.equal(rst.type, CoapType.RST);
      assert.equal(rst.mid, notification.mid, 'the RST names the notification');
      assert.equal(rig.resource.notify(3), 0, 'no more notifications');
      assert.equal(s.rec.entries.length, 2, 'the cancelled observation delivered nothing more');
    });
  }

  it('cancel by GET Observe=1 with the same token and options (§3.6)', async () => {
    const { rig, s, h } = await start();
    await push(rig, s, 1);
    const res = await h.cancel({ how: 'get' });
    const dereg = rig.clientOut.filter((m) => m.code === 0x01).at(-1)!;
    assert.equal(observeValue(dereg), 1);
    assert.deepEqual(dereg.token, h.token);
    assert.deepEqual(uriPath(dereg), ['obs']);
    assert.ok(res);
    assert.equal(res.msg.code, 0x45);
    assert.equal(observeValue(res.msg), undefined, 'the answer to a deregistration carries no Observe');
    assert.deepEqual(rig.removed.map((x) => x.why), ['deregistered']);
    assert.equal(rig.resource.notify(2), 0);
    assert.equal(s.rec.entries.length, 2);
  });

  it('a response without Observe ends the observation: server-ended (§3.2), not-accepted (§3.1)', async () => {
    const { rig, s, h } = await start();
    rig.resource.end({ code: 0x84, payload: 'gone' });
    await waitFor(() => s.ends.length === 1, 'the final response');
    assert.equal(s.ends[0]!.reason, 'server-ended');
    assert.equal(s.ends[0]!.res?.msg.code, 0x84);
    assert.equal(h.active, false);
    assert.deepEqual(rig.removed.map((x) => x.why), ['ended']);

    const p = watcher();
    const plain = observe(rig.ep, { path: '/plain' }, p.opts);
    const reg = await plain.registered;
    assert.equal(text(reg.msg.payload), 'plain');
    assert.deepEqual(p.ends.map((e) => e.reason), ['not-accepted']);
    assert.equal(p.infos.length, 0);
    assert.equal(plain.active, false);
  });

  it('re-registers with the same token when Max-Age runs out (§3.3.1); a fresh notification postpones it', async () => {
    r = await observeRig({ maxAgeS: 2 });
    const rig = r;
    const s = watcher();
    const h = observe(rig.ep, { path: '/obs' }, { ...s.rec.attach(s.opts), reregister: true, clock: rig.clock, reregisterDelayMs: 0 });
    await h.registered;
    assert.equal(s.infos[0]!.maxAgeS, 2);
    rig.vclock!.advance(1500);
    await push(rig, s, 1); // expires now at 1500 + 2000
    rig.vclock!.advance(1900);
    assert.equal(h.reregistrations, 0, 'not before the fresh notification expired');
    rig.vclock!.advance(100);
    assert.equal(h.reregistrations, 1);
    await waitFor(() => s.rec.entries.length === 3, 'the answer to the re-registration');
    const reregs = rig.clientOut.filter((m) => m.code === 0x01);
    assert.equal(reregs.length, 2);
    assert.equal(observeValue(reregs[1]!), 0);
    assert.deepEqual(reregs[1]!.token, h.token);
    assert.deepEqual(rig.added.map((a) => a.replaced), [false, true], 'the server replaced its entry');
    assert.equal(rig.resource.observers.size, 1);
    assert.equal(s.infos[2]!.registration, true);
    assert.equal(s.infos[2]!.fresh, true);
    await push(rig, s, 2);
    assert.equal(s.rec.checkFreshAndIncreasing().ok, true);
    await h.cancel();
  });

  it('reregister without a clock is a TypeError naming the option', async () => {
    r = await observeRig();
    assert.throws(() => observe(r!.ep, { path: '/obs' }, { onNotification: () => undefined, reregister: true }), /option `reregister` needs option `clock`/);
  });
});
