// Observe interop with libcoap (the real clock, real UDP on 127.0.0.1): our client observes
// libcoap's /time (which notifies once a second), and libcoap's client observes our /obs.
import assert from 'node:assert/strict';
import type { Timer } from '../../../../rig/index.js';
import { Manager } from '../../../../rig/index.js';
import type { CoapEvents } from '../../../../protocols/coap/coap-events.js';
import { observeValue } from '../../../../protocols/coap/coap-options.js';
import { setProtocolCoap } from '../../../../protocols/coap/coap-protocol.js';
import { observe } from '../../../../protocols/coap/observe/observe-client.js';
import { ObserveRecorder } from '../../../../protocols/coap/observe/observe-recorder.js';
import { waitFor } from '../../../helpers/wait.js';
import { haveProgram, LIBCOAP_CLIENT, LIBCOAP_SERVER, type LibcoapServer, runLibcoapClient, startLibcoapServer } from '../../../helpers/libcoap.js';
import { type ObsRig, observeRig } from './observe-rig.js';

describe('Observe interop with libcoap', function () {
  this.timeout(15_000);

  describe(`our client, ${LIBCOAP_SERVER} /time`, () => {
    let server: LibcoapServer | undefined;
    let mgr: Manager | undefined;
    afterEach(async () => {
      await mgr?.shutdown();
      await server?.stop();
      mgr = undefined;
      server = undefined;
    });

    it('registers and gets 2+ fresh, increasing notifications, then deregisters with GET Observe=1', async () => {
      server = await startLibcoapServer();
      mgr = new Manager();
      const c = mgr.connect<CoapEvents>(`udp://127.0.0.1:${server.port}`, () => undefined);
      const ep = setProtocolCoap(c)!;
      await c.ready;
      const rec = new ObserveRecorder();
      const h = observe(ep, { path: '/time' }, rec.attach({ onNotification: () => undefined }));
      const reg = await h.registered;
      assert.equal(reg.msg.code, 0x45);
      assert.notEqual(observeValue(reg.msg), undefined, 'libcoap accepted the registration (§3.1)');
      await waitFor(() => rec.entries.length >= 3, 'two notifications after the registration', 4500);
      const check = rec.checkFreshAndIncreasing();
      assert.equal(check.ok, true, check.summary);
      assert.ok(rec.entries.every((e) => e.fresh));
      assert.ok(rec.entries.slice(1).every((e) => e.type === 'CON'), `libcoap notifies with CON by default: ${rec.entries.map((e) => e.type).join(',')}`);
      assert.ok(rec.texts().every((t) => t.length > 0), 'each notification carries the time');
      const res = await h.cancel({ how: 'get' });
      assert.equal(res?.msg.code, 0x45);
      assert.equal(observeValue(res!.msg), undefined, 'libcoap removed us: no Observe in its answer (§3.6)');
    });
  });

  describe(`${LIBCOAP_CLIENT} -s 3, our /obs`, () => {
    let r: ObsRig | undefined;
    let tick: Timer | undefined;
    before(() => {
      // a missing peer is a failure, not a skip: CI installs libcoap3-bin
      assert.ok(haveProgram(LIBCOAP_CLIENT), `${LIBCOAP_CLIENT} not found: apt-get install libcoap3-bin`);
    });
    afterEach(async () => {
      if (tick) r?.mgr.cancelTimer(tick);
      await r?.mgr.shutdown();
      r = undefined;
      tick = undefined;
    });

    it('libcoap registers, prints 3+ notifications (one every 200 ms), ACKs them and deregisters at the end', async () => {
      r = await observeRig({ realClock: true });
      const rig = r;
      let n = 0;
      tick = rig.mgr.addTimer(200, () => rig.resource.notify(++n), { repeat: true });
      const port = new URL(rig.server.local).port;
      const out = await runLibcoapClient(['-s', '3', '-m', 'get', `coap://127.0.0.1:${port}/obs`], 10_000);
      assert.equal(out.killed, false, `${LIBCOAP_CLIENT} did not end: ${out.stderr}`);
      const printed = [...out.stdout.matchAll(/n=(\d+)/g)].map((m) => Number(m[1]));
      assert.ok(printed.length >= 3, `libcoap printed ${printed.length} payloads: ${JSON.stringify(out.stdout)}`);
      assert.deepEqual(printed, [...printed].sort((a, b) => a - b), 'in the order we notified');
      assert.equal(rig.added.length, 1, 'one registration');
      // libcoap 4.3.1 ends its -s subscription with GET Observe=1 (§3.6)
      await waitFor(() => rig.removed.length === 1, 'the deregistration', 2000);
      assert.equal(rig.removed[0]!.why, 'deregistered', 'every CON notification was acknowledged, then libcoap deregistered');
    });
  });
});
