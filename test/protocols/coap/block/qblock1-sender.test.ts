// The Q-Block1 sender's state machine alone (RFC 9177 §7.2): bursts of MAX_PAYLOADS ending at
// set boundaries, pauses of NON_TIMEOUT_RANDOM, 2.31 and 4.08 handling, probes and giving up.
import assert from 'node:assert/strict';
import { DEFAULT_COAP_PARAMS } from '../../../../protocols/coap/coap-params.js';
import { qblockParams } from '../../../../protocols/coap/block/qblock-params.js';
import { QBlock1Sender } from '../../../../protocols/coap/block/qblock1-sender.js';

const p = qblockParams(DEFAULT_COAP_PARAMS);
const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);

describe('Q-Block1 sender state machine (RFC 9177 §7.2)', () => {
  it('uses the RFC defaults: MAX_PAYLOADS 10, NON_TIMEOUT 2 s, NON_RECEIVE_TIMEOUT 4 s, NON_PARTIAL_TIMEOUT 247 s', () => {
    assert.equal(p.maxPayloads, 10);
    assert.equal(p.nonTimeoutMs, 2000);
    assert.equal(p.nonReceiveTimeoutMs, 4000);
    assert.equal(p.nonMaxRetransmit, 4);
    assert.equal(p.nonPartialTimeoutMs, 247_000);
  });

  it('refuses a NON_RECEIVE_TIMEOUT that does not exceed NON_TIMEOUT_RANDOM', () => {
    assert.throws(() => qblockParams(DEFAULT_COAP_PARAMS, { nonReceiveTimeoutMs: 3000 }), /nonReceiveTimeoutMs \(3000\) must exceed NON_TIMEOUT_RANDOM's upper bound 3000 \(RFC 9177 §7\.2\)/);
    assert.throws(() => qblockParams(DEFAULT_COAP_PARAMS, { maxPayloads: 0 }), /maxPayloads must be an integer >= 1/);
  });

  it('sends a set, pauses NON_TIMEOUT_RANDOM, and goes on at once on 2.31', () => {
    const s = new QBlock1Sender(25, p, () => 0.5);
    assert.equal(s.pauseMs, 2500);
    assert.deepEqual(s.start(0), range(0, 10));
    assert.equal(s.deadline, 2500);
    assert.deepEqual(s.onContinue(9, 100), range(10, 20));
    assert.equal(s.deadline, 2600);
    assert.deepEqual(s.onContinue(19, 200), range(20, 25));
    assert.ok(s.allSent);
    assert.equal(s.rounds, 3);
  });

  it('after a CON first block, the first burst ends at the set boundary (blocks 1-9)', () => {
    const s = new QBlock1Sender(30, p, () => 0, 1);
    assert.deepEqual(s.start(0), range(1, 10));
    assert.equal(s.confirmed, 0);
  });

  it('goes on with the next set when the pause ends without an answer', () => {
    const s = new QBlock1Sender(25, p, () => 0);
    s.start(0);
    assert.deepEqual(s.onTimeout(2000), range(10, 20));
    assert.equal(s.deadline, 4000);
  });

  it('sends the blocks a 4.08 lists first, skipping those confirmed or never sent, then pauses', () => {
    const s = new QBlock1Sender(40, p, () => 0);
    s.start(0);
    s.onTimeout(2000); // 10..19 sent
    assert.deepEqual(s.onMissing([3, 7, 12, 25], 2100), [3, 7, 12]);
    assert.equal(s.resent, 3);
    assert.equal(s.deadline, 4100);
    // a 2.31 for the first two sets: the next set is new blocks only
    assert.deepEqual(s.onContinue(19, 2200), range(20, 30));
  });

  it('more than MAX_PAYLOADS missing blocks go a set at a time, before new ones', () => {
    const s = new QBlock1Sender(40, p, () => 0);
    s.start(0);
    s.onTimeout(2000);
    s.onTimeout(4000); // 0..29 sent
    assert.deepEqual(s.onMissing(range(0, 14), 4100), range(0, 10));
    assert.deepEqual(s.onTimeout(6100), [10, 11, 12, 13, 30, 31, 32, 33, 34, 35]);
  });

  it('probes with the last block when all is sent and nothing answers, doubling the wait, then gives up', () => {
    const s = new QBlock1Sender(3, p, () => 0);
    assert.deepEqual(s.start(0), [0, 1, 2]);
    const waits: number[] = [];
    let now = 2000;
    for (let k = 0; k < 4; k++) {
      assert.deepEqual(s.onTimeout(now), [2]);
      waits.push(s.deadline - now);
      now = s.deadline;
    }
    assert.deepEqual(waits, [4000, 8000, 16000, 32000]);
    assert.equal(s.onTimeout(now), 'give-up');
  });

  it('an answer resets the probe count', () => {
    const s = new QBlock1Sender(3, p, () => 0);
    s.start(0);
    s.onTimeout(2000);
    s.onTimeout(6000);
    assert.equal(s.unansweredProbes, 2);
    assert.deepEqual(s.onMissing([1], 7000), [1]);
    assert.equal(s.unansweredProbes, 0);
  });
});
