// The server side of Observe (RFC 7641 §4): the ObserverRegistry behind an ObservableResource,
// driven by a raw UDP peer that speaks CoAP by hand (so it can stay silent, ACK late, or RST),
// over real UDP on 127.0.0.1 on a VirtualClock.
import assert from 'node:assert/strict';
import { parseCoap } from '../../../../protocols/coap/coap-codec.js';
import { observeValue } from '../../../../protocols/coap/coap-options.js';
import { type CoapMessage, CoapType } from '../../../../protocols/coap/coap-types.js';
import { waitFor } from '../../../helpers/wait.js';
import { type ObsRig, obsGetOptions, observeRig, rawPeer, type RigOptions, text } from './observe-rig.js';

function parsed(bytes: Uint8Array): CoapMessage {
  const p = parseCoap(bytes);
  assert.equal(p.kind, 'ok');
  return (p as { value: CoapMessage }).value;
}

describe('ObservableResource and ObserverRegistry (RFC 7641 §4) over UDP', () => {
  let r: ObsRig | undefined;
  afterEach(async () => {
    await r?.mgr.shutdown();
    r = undefined;
  });

  /** a rig and a raw peer registered under `token` */
  async function registered(opts: RigOptions = {}, token = Uint8Array.of(0xab)) {
    r = await observeRig(opts);
    const peer = await rawPeer(r);
    peer.send({ type: CoapType.CON, code: 0x01, mid: 0x100, token, options: obsGetOptions(0) });
    await waitFor(() => peer.inbox.length === 1, 'the registration response');
    return { rig: r, peer, reg: parsed(peer.inbox[0]!) };
  }

  it('answers a registration with 2.05 and an Observe value, and lists the observer under (peer, token)', async () => {
    const { rig, reg, peer } = await registered({ maxAgeS: 30 });
    assert.equal(reg.type, CoapType.ACK);
    assert.equal(reg.code, 0x45);
    assert.equal(observeValue(reg), 1);
    assert.equal(rig.resource.observers.size, 1);
    assert.ok(rig.resource.observers.get(peer.conn.local, Uint8Array.of(0xab)), 'keyed by the peer address and the token');
    assert.equal(rig.resource.observers.get(peer.conn.local, Uint8Array.of(0xac)), undefined);
    assert.equal(observeValue(reg) !== undefined && reg.options.some((o) => o.number === 14 && o.value[0] === 30), true, 'Max-Age 30');
  });

  it('a re-registration with the same token replaces the entry and gets a larger Observe value (§4.1)', async () => {
    const { rig, peer } = await registered();
    peer.send({ type: CoapType.CON, code: 0x01, mid: 0x101, token: Uint8Array.of(0xab), options: obsGetOptions(0) });
    await waitFor(() => peer.inbox.length === 2, 'the second registration response');
    assert.equal(observeValue(parsed(peer.inbox[1]!)), 2);
    assert.equal(rig.resource.observers.size, 1);
    assert.deepEqual(rig.added.map((a) => a.replaced), [false, true]);
  });

  it('a GET without Observe is answered without Observe and adds no observer', async () => {
    r = await observeRig();
    const peer = await rawPeer(r);
    peer.send({ type: CoapType.CON, code: 0x01, mid: 0x100, token: Uint8Array.of(1), options: obsGetOptions(0).slice(1) });
    await waitFor(() => peer.inbox.length === 1, 'the response');
    assert.equal(observeValue(parsed(peer.inbox[0]!)), undefined);
    assert.equal(r.resource.observers.size, 0);
  });

  it('a registration the resource answers with an error gets no Observe and no entry (§4.1)', async () => {
    r = await observeRig({ render: () => ({ code: 0x84 }) });
    const peer = await rawPeer(r);
    peer.send({ type: CoapType.CON, code: 0x01, mid: 0x100, token: Uint8Array.of(1), options: obsGetOptions(0) });
    await waitFor(() => peer.inbox.length === 1, 'the response');
    const res = parsed(peer.inbox[0]!);
    assert.equal(res.code, 0x84);
    assert.equal(observeValue(res), undefined);
    assert.equal(r.resource.observers.size, 0);
  });

  it('other methods get 4.05', async () => {
    r = await observeRig();
    const peer = await rawPeer(r);
    peer.send({ type: CoapType.CON, code: 0x02, mid: 0x100, token: Uint8Array.of(1), options: obsGetOptions(0).slice(1) });
    await waitFor(() => peer.inbox.length === 1, 'the response');
    assert.equal(parsed(peer.inbox[0]!).code, 0x85);
  });

  it('gives up on an observer whose CON notification is never acknowledged (§4.5)', async () => {
    const { rig, peer } = await registered();
    assert.equal(rig.resource.notify(1), 1);
    // server random 0.5: first wait 2000 * 1.25 = 2500 ms, doubling; MAX_RETRANSMIT 4
    for (let t = 0; t < 80_000; t += 500) rig.vclock!.advance(500);
    await waitFor(() => rig.removed.length === 1, 'the observer removed');
    assert.equal(rig.removed[0]!.why, 'gave-up');
    await waitFor(() => peer.inbox.length >= 6, 'five transmissions at the peer');
    const notifications = peer.inbox.slice(1).map(parsed);
    assert.equal(notifications.length, 5, 'one transmission and 4 retransmissions');
    assert.ok(notifications.every((m) => m.type === CoapType.CON && m.mid === notifications[0]!.mid && observeValue(m) === 2));
    const times = rig.serverOut.filter((x) => x.msg.mid === notifications[0]!.mid).map((x) => x.at);
    assert.deepEqual(times, [0, 2500, 7500, 17500, 37500]);
    assert.equal(rig.removed.length, 1);
    assert.equal(rig.gaveUp.length, 1, 'CoapEv.GaveUp reported the notification');
    assert.equal(rig.resource.notify(2), 0);
  });

  it('a notification that gives up after the client re-registered does not remove the new registration', async () => {
    const { rig, peer } = await registered();
    rig.resource.notify(1); // never acknowledged
    await waitFor(() => peer.inbox.length === 2, 'the notification');
    peer.send({ type: CoapType.CON, code: 0x01, mid: 0x101, token: Uint8Array.of(0xab), options: obsGetOptions(0) });
    await waitFor(() => rig.added.length === 2, 'the re-registration');
    for (let t = 0; t < 80_000; t += 500) rig.vclock!.advance(500);
    await waitFor(() => rig.serverOut.filter((x) => x.retransmission === 4).length === 1, 'the last retransmission');
    assert.deepEqual(rig.removed, [], 'the old entry was already replaced');
    assert.equal(rig.gaveUp.length, 0);
    assert.equal(rig.resource.notify(2), 1);
  });

  it('an RST to a NON notification removes the observer (§3.6)', async () => {
    const { rig, peer } = await registered({ confirmable: false });
    rig.resource.notify(1);
    await waitFor(() => peer.inbox.length === 2, 'the NON notification');
    const n = parsed(peer.inbox[1]!);
    assert.equal(n.type, CoapType.NON);
    peer.send({ type: CoapType.RST, code: 0, mid: n.mid });
    await waitFor(() => rig.removed.length === 1, 'the observer removed');
    assert.equal(rig.removed[0]!.why, 'rst');
  });

  it('an RST to a CON notification removes the observer', async () => {
    const { rig, peer } = await registered();
    rig.resource.notify(1);
    await waitFor(() => peer.inbox.length === 2, 'the CON notification');
    peer.send({ type: CoapType.RST, code: 0, mid: parsed(peer.inbox[1]!).mid });
    await waitFor(() => rig.removed.length === 1, 'the observer removed');
    assert.equal(rig.removed[0]!.why, 'rst');
  });

  it('while a CON notification is unacknowledged, newer states wait; the newest goes after the ACK', async () => {
    const { rig, peer } = await registered();
    assert.equal(rig.resource.notify(1), 1);
    await waitFor(() => peer.inbox.length === 2, 'the first notification');
    assert.equal(rig.resource.notify(2), 0, 'held back');
    assert.equal(rig.resource.notify(3), 0, 'held back');
    const first = parsed(peer.inbox[1]!);
    peer.send({ type: CoapType.ACK, code: 0, mid: first.mid });
    await waitFor(() => peer.inbox.length === 3, 'the newest state');
    const next = parsed(peer.inbox[2]!);
    assert.equal(text(next.payload), 'n=3');
    assert.ok(observeValue(next)! > observeValue(first)!);
    assert.equal(rig.resource.observers.size, 1);
  });

  it('two observers (two tokens) are notified; deregistering one (Observe=1) leaves the other', async () => {
    const { rig, peer } = await registered({ confirmable: false });
    peer.send({ type: CoapType.CON, code: 0x01, mid: 0x101, token: Uint8Array.of(0xcd), options: obsGetOptions(0) });
    await waitFor(() => peer.inbox.length === 2, 'the second registration');
    assert.equal(rig.resource.notify(1), 2);
    await waitFor(() => peer.inbox.length === 4, 'two notifications');
    const tokens = peer.inbox.slice(2).map((b) => parsed(b).token[0]);
    assert.deepEqual(tokens.sort(), [0xab, 0xcd]);
    assert.equal(new Set(peer.inbox.slice(2).map((b) => observeValue(parsed(b)))).size, 1, 'one notify, one sequence number');
    peer.send({ type: CoapType.CON, code: 0x01, mid: 0x102, token: Uint8Array.of(0xab), options: obsGetOptions(1) });
    await waitFor(() => peer.inbox.length === 5, 'the deregistration response');
    assert.equal(observeValue(parsed(peer.inbox[4]!)), undefined);
    assert.deepEqual(rig.removed.map((x) => x.why), ['deregistered']);
    assert.equal(rig.resource.notify(2), 1);
  });

  it('a non-2.xx state ends every observation with a response without Observe (§3.2)', async () => {
    let gone = false;
    const { rig, peer } = await registered({ confirmable: false, render: (n) => (gone ? { code: 0x84 } : { code: 0x45, payload: `n=${n}` }) });
    gone = true;
    assert.equal(rig.resource.notify(9), 1);
    await waitFor(() => peer.inbox.length === 2, 'the final response');
    const fin = parsed(peer.inbox[1]!);
    assert.equal(fin.code, 0x84);
    assert.equal(observeValue(fin), undefined);
    assert.deepEqual(rig.removed.map((x) => x.why), ['ended']);
  });

  it('rejects a bad option with a TypeError naming it', async () => {
    const { ObservableResource } = await import('../../../../protocols/coap/observe/observable-resource.js');
    assert.throws(() => new ObservableResource({ initial: 0, render: () => ({ code: 0x45 }), conEvery: -1 }), /option conEvery must be an integer >= 0/);
  });
});
