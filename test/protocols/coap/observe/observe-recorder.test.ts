// The recorder's check "Observe sequence numbers fresh and increasing" must fail when a server
// breaks RFC 7641 §4.4, whatever the client concluded.
import assert from 'node:assert/strict';
import type { CoapResponse } from '../../../../protocols/coap/client-requests.js';
import { CoapType } from '../../../../protocols/coap/coap-types.js';
import { OBSERVE_SEQ_MODULUS, REORDER_WINDOW_MS } from '../../../../protocols/coap/observe/freshness.js';
import { observe } from '../../../../protocols/coap/observe/observe-client.js';
import { ObserveRecorder } from '../../../../protocols/coap/observe/observe-recorder.js';
import { waitFor } from '../../../helpers/wait.js';
import { coapMessage, type ObsRig, observeRig } from './observe-rig.js';

/** Record a notification as if the client had judged it `fresh`. */
function feed(rec: ObserveRecorder, seq: number, at: number, fresh = true): void {
  const msg = coapMessage({ type: CoapType.NON, code: 0x45, mid: rec.entries.length });
  const res: CoapResponse = { msg, request: msg, rttMs: 0, transmissions: 1 };
  rec.record(res, { seq, fresh, arrivedAt: at, index: rec.entries.length, registration: rec.entries.length === 0, maxAgeS: 60, expiresAt: at + 60_000 });
}

describe('ObserveRecorder: fresh and increasing', () => {
  let r: ObsRig | undefined;
  afterEach(async () => {
    await r?.mgr.shutdown();
    r = undefined;
  });

  it('passes for increasing numbers across the wrap and after a pause of more than 128 s', () => {
    const rec = new ObserveRecorder();
    feed(rec, OBSERVE_SEQ_MODULUS - 1, 0);
    feed(rec, 0, 10);
    feed(rec, 3, 20);
    feed(rec, 1, 20 + REORDER_WINDOW_MS + 1); // lower, but after 128 s: fresh (§3.4)
    const check = rec.checkFreshAndIncreasing();
    assert.equal(check.ok, true, check.summary);
    assert.match(check.summary, /4 notifications, Observe 16777215, 0, 3, 1: fresh and increasing/);
  });

  it('fails for a repeated or decreasing number within 128 s, even when the client called it fresh', () => {
    const rec = new ObserveRecorder();
    feed(rec, 7, 0);
    feed(rec, 7, 10);
    feed(rec, 8, 20);
    feed(rec, 6, 30);
    const check = rec.checkFreshAndIncreasing();
    assert.equal(check.ok, false);
    assert.deepEqual(check.violations.map((v) => v.index), [1, 3]);
    assert.equal(check.violations[0]!.rule, 'RFC 7641 §3.4/§4.4');
    assert.match(check.summary, /2 of 4 notifications break the ordering rules; first: notification #1 .* has Observe 7, not fresher than 7 received 10 ms earlier/);
  });

  it('fails for a value that does not fit 24 bits (§2)', () => {
    const rec = new ObserveRecorder();
    feed(rec, 1, 0);
    feed(rec, OBSERVE_SEQ_MODULUS + 2, 10);
    const check = rec.checkFreshAndIncreasing();
    assert.equal(check.ok, false);
    assert.equal(check.violations[0]!.rule, 'RFC 7641 §2');
  });

  it('catches a server whose sequence number does not increase (a bug mode), end to end', async () => {
    r = await observeRig({ confirmable: false, initialSeq: 40, nextSeq: (s) => s });
    const rec = new ObserveRecorder();
    const fresh: boolean[] = [];
    const h = observe(r.ep, { path: '/obs' }, rec.attach({ onNotification: (_res, info) => fresh.push(info.fresh) }));
    await h.registered;
    r.resource.notify(1);
    r.resource.notify(2);
    await waitFor(() => rec.entries.length === 3, 'three notifications');
    assert.deepEqual(rec.seqs, [40, 40, 40]);
    assert.deepEqual(fresh, [true, false, false], 'the client reports the repeats as stale');
    const check = rec.checkFreshAndIncreasing();
    assert.equal(check.ok, false);
    assert.equal(check.violations.length, 2);
    await h.cancel();
  });
});
