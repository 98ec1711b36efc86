// /obs and /obs-non changed by another client (TD_COAP_OBS_07-09, RFC 7641 §3.2, §4.2), over real
// UDP on 127.0.0.1 against the in-process board. The board runs on a VirtualClock, so its periodic
// changes happen only when a test advances board time; a GET from an observer's own client after
// that is the barrier: every notification the board sent before answering it has arrived.
import assert from 'node:assert/strict';
import { VirtualBoard, type RunningBoard } from '../../../boards/virtual/virtual-board.js';
import { defaultDrivers } from '../../../drivers/index.js';
import type { CoapResponse } from '../../../protocols/coap/client-requests.js';
import { CoapCode } from '../../../protocols/coap/coap-codes.js';
import type { CoapRequestSpec } from '../../../protocols/coap/coap-request.js';
import { contentFormat, observeValue, size1 } from '../../../protocols/coap/coap-options.js';
import { type CoapMessage, CoapType } from '../../../protocols/coap/coap-types.js';
import { ContentFormat } from '../../../protocols/coap/content-formats.js';
import { observe, type ObserveEndReason, type ObserveHandle, seqNewer } from '../../../protocols/coap/observe/index.js';
import { VirtualClock } from '../../../rig/engine/index.js';
import { waitFor } from '../../helpers/wait.js';
import { type Client, servicesWith, text, udpClient } from './coap-board-fixture.js';

const PERIOD_MS = 1000;
const sameToken = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

interface Watch {
  client: Client;
  handle: ObserveHandle;
  /** the answer to the registration */
  first: CoapResponse;
  /** registration answer first when it was one, then every notification */
  seen: CoapResponse[];
  end?: { reason: ObserveEndReason; res?: CoapResponse };
  /** every message with the observation's token that reached the client */
  withToken(): CoapMessage[];
}

describe('virtual board /obs and /obs-non: PUT and DELETE by another client (TD_COAP_OBS_07-09)', function () {
  this.timeout(20000);
  let clock: VirtualClock;
  let board: RunningBoard | undefined;
  const clients: Client[] = [];

  beforeEach(async () => {
    // a fresh board per test: a DELETE or a format change must not leak into the next one
    clock = new VirtualClock(0);
    board = await new VirtualBoard({ drivers: defaultDrivers, services: servicesWith({ obsPeriodMs: PERIOD_MS }) }).start({ udp: '127.0.0.1:0', clock });
  });
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.mgr.shutdown();
    await board?.stop();
    board = undefined;
  });

  const client = async (): Promise<Client> => {
    const c = await udpClient(board!.endpoints.udp!);
    clients.push(c);
    return c;
  };
  /** Board time moves in poll steps, as it would on the board. */
  const advance = (ms: number): void => {
    for (let t = 0; t < ms; t += 100) clock.advance(100);
  };

  async function watch(path: string, spec: { accept?: number } = {}): Promise<Watch> {
    const c = await client();
    const w: Watch = {
      client: c,
      seen: [],
      first: undefined as unknown as CoapResponse,
      handle: undefined as unknown as ObserveHandle,
      withToken: () => c.inbox.filter((m) => sameToken(m.token, w.handle.token)),
    };
    w.handle = observe(c.ep, { ...spec, path }, { onNotification: (r) => w.seen.push(r), onEnd: (reason, res) => (w.end = res ? { reason, res } : { reason }) });
    w.first = await w.handle.registered;
    return w;
  }
  /** A GET on the watcher's own link: answered after every notification sent to it before. */
  const barrier = async (w: Watch, path: string): Promise<void> => {
    await w.client.ep.request({ method: 'GET', path });
  };
  const seqs = (w: Watch): number[] => w.seen.map((r) => observeValue(r.msg)!);

  it('a PUT in the same format: 2.04, every observer is notified of the value with a newer Observe; the next change replaces it', async () => {
    const a = await watch('/obs');
    const b = await watch('/obs');
    advance(PERIOD_MS);
    await waitFor(() => a.seen.length === 2 && b.seen.length === 2, 'the first periodic notification');

    const writer = await client();
    const put = await writer.ep.request({ method: 'PUT', path: '/obs', contentFormat: ContentFormat.TEXT_PLAIN, payload: 'hello from TD_COAP_OBS_09' });
    assert.equal(put.msg.code, CoapCode.CHANGED);
    await waitFor(() => a.seen.length === 3 && b.seen.length === 3, 'the notification of the PUT value');
    for (const w of [a, b]) {
      const n = w.seen[2]!.msg;
      assert.equal(n.type, CoapType.CON);
      assert.equal(n.code, CoapCode.CONTENT);
      assert.equal(contentFormat(n), ContentFormat.TEXT_PLAIN);
      assert.equal(text(n.payload), 'hello from TD_COAP_OBS_09');
      const s = seqs(w);
      assert.ok(seqNewer(s[1]!, s[2]!), `Observe ${s[2]} after ${s[1]}`);
    }
    assert.equal(text((await writer.ep.request({ method: 'GET', path: '/obs' })).msg.payload), 'hello from TD_COAP_OBS_09');

    advance(PERIOD_MS);
    await waitFor(() => a.seen.length === 4, 'the next periodic notification');
    assert.match(text(a.seen[3]!.msg.payload), /^\/obs change \d+ at [\d.]+ s$/);
    assert.ok(seqNewer(seqs(a)[2]!, seqs(a)[3]!));
    assert.equal(a.end, undefined, 'the observation goes on');
  });

  it('a PUT in another format: 2.04, every observer gets a final CON 4.06 without Observe and nothing more; the resource is XML from then on', async () => {
    const a = await watch('/obs');
    const b = await watch('/obs');
    const writer = await client();
    const put = await writer.ep.request({ method: 'PUT', path: '/obs', contentFormat: ContentFormat.XML, payload: '<obs>TD_COAP_OBS_08</obs>' });
    assert.equal(put.msg.code, CoapCode.CHANGED);
    await waitFor(() => a.end !== undefined && b.end !== undefined, 'the end of both observations');
    for (const w of [a, b]) {
      assert.equal(w.end!.reason, 'server-ended');
      const fin = w.end!.res!.msg;
      assert.equal(fin.code, CoapCode.NOT_ACCEPTABLE);
      assert.equal(fin.type, CoapType.CON);
      assert.equal(observeValue(fin), undefined, 'a final response carries no Observe (RFC 7641 §4.2)');
      assert.equal(w.seen.length, 1, 'no 2.05 in XML reached an observer that was served text');
    }
    // the observers' ACKs of the final response are in before board time moves
    for (const w of [a, b]) await barrier(w, '/test');
    const before = a.withToken().length;
    advance(3 * PERIOD_MS);
    await barrier(a, '/test');
    assert.equal(a.withToken().length, before, 'silence after the final 4.06');

    const get = await writer.ep.request({ method: 'GET', path: '/obs' });
    assert.equal(get.msg.code, CoapCode.CONTENT);
    assert.equal(contentFormat(get.msg), ContentFormat.XML);
    assert.match(text(get.msg.payload), /^<obs path="\/obs" change="\d+" at="[\d.]+"\/>$/, 'the periodic change goes on in XML');
    assert.equal((await writer.ep.request({ method: 'GET', path: '/obs', accept: ContentFormat.TEXT_PLAIN })).msg.code, CoapCode.NOT_ACCEPTABLE);
    const c = await watch('/obs', { accept: ContentFormat.TEXT_PLAIN });
    assert.equal(c.first.msg.code, CoapCode.NOT_ACCEPTABLE);
    assert.equal(c.end?.reason, 'not-accepted');
    const d = await watch('/obs', { accept: ContentFormat.XML });
    assert.equal(contentFormat(d.first.msg), ContentFormat.XML);
    assert.notEqual(observeValue(d.first.msg), undefined);
    const wkc = await writer.ep.request({ method: 'GET', path: '/.well-known/core', query: 'href=/obs' });
    assert.equal(text(wkc.msg.payload), '</obs>;title="Observable resource which changes every period";obs;rt="observe";ct=41');
  });

  it('DELETE: 2.02, every observer gets a final CON 4.04 without Observe; 4.04 and unlisted until the next change brings it back', async () => {
    const a = await watch('/obs');
    const b = await watch('/obs');
    const writer = await client();
    assert.equal((await writer.ep.request({ method: 'DELETE', path: '/obs' })).msg.code, CoapCode.DELETED);
    await waitFor(() => a.end !== undefined && b.end !== undefined, 'the end of both observations');
    for (const w of [a, b]) {
      const fin = w.end!.res!.msg;
      assert.equal(fin.code, CoapCode.NOT_FOUND);
      assert.equal(fin.type, CoapType.CON);
      assert.equal(observeValue(fin), undefined);
    }
    assert.equal((await writer.ep.request({ method: 'GET', path: '/obs' })).msg.code, CoapCode.NOT_FOUND);
    // §4.1: a registration answered 4.04 carries no Observe, and nobody is added
    const late = await watch('/obs');
    assert.equal(late.first.msg.code, CoapCode.NOT_FOUND);
    assert.equal(observeValue(late.first.msg), undefined);
    assert.equal(late.end?.reason, 'not-accepted');
    assert.equal((await writer.ep.request({ method: 'DELETE', path: '/obs' })).msg.code, CoapCode.DELETED, 'DELETE of a gone resource: 2.02 (RFC 7252 §5.8.4)');
    assert.equal(text((await writer.ep.request({ method: 'GET', path: '/.well-known/core', query: 'obs' })).msg.payload), '</obs-non>;title="Observable resource which changes every period, NON notifications";obs;rt="observe";ct=0');

    // nothing changes while it is gone: still 4.04 just before the next change, no notification
    for (const w of [a, b]) await barrier(w, '/test');
    advance(PERIOD_MS - 100);
    const before = a.withToken().length;
    assert.equal((await a.client.ep.request({ method: 'GET', path: '/obs' })).msg.code, CoapCode.NOT_FOUND);
    assert.equal(a.withToken().length, before, 'silence after the final 4.04');
    advance(100);
    const back = await writer.ep.request({ method: 'GET', path: '/obs' });
    assert.equal(back.msg.code, CoapCode.CONTENT);
    assert.equal(contentFormat(back.msg), ContentFormat.TEXT_PLAIN);
    assert.match(text(back.msg.payload), /^\/obs change 1 at 1\.0 s$/);
    assert.equal(a.withToken().length, before, 'the old observers stay off the list');
  });

  it('a PUT creates a deleted /obs again (2.01), then changes it (2.04)', async () => {
    const writer = await client();
    await writer.ep.request({ method: 'DELETE', path: '/obs' });
    const put = (payload: string) => writer.ep.request({ method: 'PUT', path: '/obs', contentFormat: ContentFormat.TEXT_PLAIN, payload });
    assert.equal((await put('again')).msg.code, CoapCode.CREATED);
    assert.equal(text((await writer.ep.request({ method: 'GET', path: '/obs' })).msg.payload), 'again');
    assert.equal((await put('and again')).msg.code, CoapCode.CHANGED);
    const w = await watch('/obs');
    assert.equal(text(w.first.msg.payload), 'and again');
  });

  it('/obs-non: the PUT value as a NON notification; DELETE ends with a 4.04 without Observe', async () => {
    const a = await watch('/obs-non');
    const writer = await client();
    assert.equal((await writer.ep.request({ method: 'PUT', path: '/obs-non', contentFormat: ContentFormat.TEXT_PLAIN, payload: 'non value' })).msg.code, CoapCode.CHANGED);
    await waitFor(() => a.seen.length === 2, 'the notification of the PUT value');
    assert.equal(a.seen[1]!.msg.type, CoapType.NON);
    assert.equal(text(a.seen[1]!.msg.payload), 'non value');
    assert.equal((await writer.ep.request({ method: 'DELETE', path: '/obs-non' })).msg.code, CoapCode.DELETED);
    await waitFor(() => a.end !== undefined, 'the end of the observation');
    assert.equal(a.end!.res!.msg.code, CoapCode.NOT_FOUND);
    assert.equal(observeValue(a.end!.res!.msg), undefined);
    assert.equal((await writer.ep.request({ method: 'GET', path: '/obs' })).msg.code, CoapCode.CONTENT, '/obs is another resource');
  });

  it('a PUT it cannot take changes nothing and notifies nobody', async () => {
    const a = await watch('/obs');
    const writer = await client();
    const put = (spec: Partial<CoapRequestSpec>) => writer.ep.request({ method: 'PUT', path: '/obs', ...spec });
    assert.equal((await put({ payload: 'no format' })).msg.code, CoapCode.BAD_REQUEST);
    assert.equal((await put({ contentFormat: ContentFormat.JSON, payload: '{}' })).msg.code, CoapCode.UNSUPPORTED_CONTENT_FORMAT);
    const big = await put({ contentFormat: ContentFormat.TEXT_PLAIN, payload: 'x'.repeat(1025) });
    assert.equal(big.msg.code, CoapCode.REQUEST_ENTITY_TOO_LARGE);
    assert.equal(size1(big.msg), 1024);
    assert.equal((await put({ contentFormat: ContentFormat.TEXT_PLAIN, payload: Uint8Array.of(0xc3, 0x28) })).msg.code, CoapCode.BAD_REQUEST, 'not UTF-8');
    await barrier(a, '/test');
    assert.equal(a.seen.length, 1, 'no notification');
    assert.equal(a.end, undefined);
    assert.match(text((await writer.ep.request({ method: 'GET', path: '/obs' })).msg.payload), /^\/obs change 0 at 0\.0 s$/);
  });
});
