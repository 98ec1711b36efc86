// The virtual board's CoAP server over real UDP on 127.0.0.1: the ETSI plugtest core resources
// (TD_COAP_CORE: /test, addressing, /separate, conditional requests) and per-boot state, as a
// CoapEndpoint client sees them. Block-wise, Observe and discovery: coap-block-observe-link.test.ts.
import assert from 'node:assert/strict';
import type { RunningBoard } from '../../../boards/virtual/virtual-board.js';
import type { CoapResponse } from '../../../protocols/coap/client-requests.js';
import { CoapCode } from '../../../protocols/coap/coap-codes.js';
import { serializeCoap } from '../../../protocols/coap/coap-codec.js';
import { buildRequest, type CoapRequestSpec } from '../../../protocols/coap/coap-request.js';
import { CoapOptionNumber, contentFormat, etags, locationPath, locationQuery } from '../../../protocols/coap/coap-options.js';
import { CoapType } from '../../../protocols/coap/coap-types.js';
import { type Client, parsed, rawPeer, startBoard, text, udpClient } from './coap-board-fixture.js';

describe('virtual board CoAP server: plugtest resources over UDP', function () {
  this.timeout(20000);
  let board: RunningBoard | undefined;
  let client: Client | undefined;

  before(async () => {
    board = await startBoard();
  });
  after(async () => {
    await board?.stop();
  });
  beforeEach(async () => {
    client = await udpClient(board!.endpoints.udp!);
  });
  afterEach(async () => {
    await client?.mgr.shutdown();
    client = undefined;
  });
  const req = (spec: CoapRequestSpec): Promise<CoapResponse> => client!.ep.request(spec);

  describe('/test and addressing (TD_COAP_CORE_01-13, 18-20)', () => {
    it('GET /test over CON: piggybacked 2.05 text that describes the request', async () => {
      const r = await req({ method: 'GET', path: '/test' });
      assert.equal(r.msg.type, CoapType.ACK);
      assert.equal(r.msg.mid, r.request.mid);
      assert.deepEqual(r.msg.token, r.request.token);
      assert.equal(r.msg.code, CoapCode.CONTENT);
      assert.equal(contentFormat(r.msg), 0);
      assert.match(text(r.msg.payload), new RegExp(`^Type: 0 \\(CON\\)\\nCode: 1 \\(GET\\)\\nMID: ${r.request.mid}\\nToken: [0-9a-f]{8}$`));
    });

    it('GET /test over NON: a NON 2.05 with the token', async () => {
      const r = await req({ method: 'GET', path: '/test', confirmable: false });
      assert.equal(r.msg.type, CoapType.NON);
      assert.deepEqual(r.msg.token, r.request.token);
      assert.match(text(r.msg.payload), /^Type: 1 \(NON\)\nCode: 1 \(GET\)/);
    });

    it('POST /test: 2.01 with Location-Path; PUT 2.01 then 2.04, If-None-Match 4.12; DELETE 2.02', async () => {
      const post = await req({ method: 'POST', path: '/test', payload: 'x', contentFormat: 0 });
      assert.equal(post.msg.code, CoapCode.CREATED);
      assert.deepEqual(locationPath(post.msg), ['location1', 'location2', 'location3']);
      const nonPost = await req({ method: 'POST', path: '/test', payload: 'x', contentFormat: 0, confirmable: false });
      assert.equal(nonPost.msg.type, CoapType.NON);
      assert.equal(nonPost.msg.code, CoapCode.CREATED);
      // the board is shared by this file's tests: start from a deleted /test
      assert.equal((await req({ method: 'DELETE', path: '/test' })).msg.code, CoapCode.DELETED);
      assert.equal((await req({ method: 'PUT', path: '/test', payload: 'a', contentFormat: 0 })).msg.code, CoapCode.CREATED);
      assert.equal((await req({ method: 'PUT', path: '/test', payload: 'b', contentFormat: 0 })).msg.code, CoapCode.CHANGED);
      const inm = await req({ method: 'PUT', path: '/test', payload: 'c', options: [{ number: CoapOptionNumber.IF_NONE_MATCH, value: new Uint8Array(0) }] });
      assert.equal(inm.msg.code, CoapCode.PRECONDITION_FAILED);
      const del = await req({ method: 'DELETE', path: '/test', confirmable: false });
      assert.equal(del.msg.type, CoapType.NON);
      assert.equal(del.msg.code, CoapCode.DELETED);
    });

    it('a long path, a query echo, Location-Query; 4.04 for unknown paths, 4.05 for unsupported methods', async () => {
      const long = await req({ method: 'GET', path: '/seg1/seg2/seg3' });
      assert.equal(long.msg.code, CoapCode.CONTENT);
      assert.equal((await req({ method: 'GET', path: '/seg1/seg2' })).msg.code, CoapCode.NOT_FOUND);
      assert.equal((await req({ method: 'GET', path: '/no/such/thing' })).msg.code, CoapCode.NOT_FOUND);
      const q = await req({ method: 'GET', path: '/query', query: 'first=1&second=2' });
      assert.match(text(q.msg.payload), /\nQuery: first=1&second=2$/);
      const loc = await req({ method: 'POST', path: '/location-query', payload: 'x', contentFormat: 0 });
      assert.equal(loc.msg.code, CoapCode.CREATED);
      assert.deepEqual(locationQuery(loc.msg), ['first=1', 'second=2']);
      assert.equal((await req({ method: 'DELETE', path: '/query' })).msg.code, CoapCode.METHOD_NOT_ALLOWED);
      assert.equal((await req({ method: 'POST', path: '/seg1/seg2/seg3' })).msg.code, CoapCode.METHOD_NOT_ALLOWED);
      assert.equal((await req({ method: 'FETCH', path: '/test' })).msg.code, CoapCode.METHOD_NOT_ALLOWED);
    });

    it('/multi-format: text/plain or application/xml by Accept, 4.06 for anything else', async () => {
      const plain = await req({ method: 'GET', path: '/multi-format', accept: 0 });
      assert.equal(contentFormat(plain.msg), 0);
      assert.match(text(plain.msg.payload), /^Type: 0 \(CON\)/);
      const xml = await req({ method: 'GET', path: '/multi-format', accept: 41 });
      assert.equal(contentFormat(xml.msg), 41);
      assert.match(text(xml.msg.payload), /^<msg type="CON" code="1" mid="\d+" accept="41"\/>$/);
      assert.equal(contentFormat((await req({ method: 'GET', path: '/multi-format' })).msg), 0);
      assert.equal((await req({ method: 'GET', path: '/multi-format', accept: 50 })).msg.code, CoapCode.NOT_ACCEPTABLE);
    });

    it('answers 4.02 to an unrecognized critical option, and RST to a malformed CON', async () => {
      const r = await req({ method: 'GET', path: '/test', options: [{ number: 65001, value: 'x' }] });
      assert.equal(r.msg.code, CoapCode.BAD_OPTION);
      const raw = await rawPeer(board!.endpoints.udp!);
      try {
        // a CON with token length 9 (reserved, RFC 7252 §3): rejected with an RST naming its MID
        raw.send(Uint8Array.of(0x49, 0x01, 0x12, 0x34, 1, 2, 3, 4, 5, 6, 7, 8, 9));
        const rst = parsed(await raw.next());
        assert.equal(rst.type, CoapType.RST);
        assert.equal(rst.mid, 0x1234);
      } finally {
        raw.close();
      }
    });
  });

  describe('/separate (TD_COAP_CORE_09, 17)', () => {
    it('a CON request gets an empty ACK first, then the answer as a separate CON response', async () => {
      const r = await req({ method: 'GET', path: '/separate' });
      const ack = client!.inbox.find((m) => m.type === CoapType.ACK && m.mid === r.request.mid);
      assert.ok(ack, 'an ACK for the request');
      assert.equal(ack.code, 0, 'the ACK is empty');
      assert.ok(client!.inbox.indexOf(ack) < client!.inbox.indexOf(r.msg), 'the empty ACK comes before the response');
      assert.equal(r.msg.type, CoapType.CON);
      assert.notEqual(r.msg.mid, r.request.mid);
      assert.deepEqual(r.msg.token, r.request.token);
      assert.equal(r.msg.code, CoapCode.CONTENT);
      assert.ok(r.rttMs >= 900, `answered after the delay (${r.rttMs} ms)`);
    });

    it('a NON request gets a NON answer after the delay', async () => {
      const r = await req({ method: 'GET', path: '/separate', confirmable: false });
      assert.equal(r.msg.type, CoapType.NON);
      assert.match(text(r.msg.payload), /^Type: 1 \(NON\)/);
    });
  });

  describe('conditional requests (TD_COAP_CORE_21-23)', () => {
    it('/validate: ETag, 2.03 for the current one, If-Match 2.04 then 4.12 with the old ETag', async () => {
      const first = await req({ method: 'GET', path: '/validate' });
      const [e1] = etags(first.msg);
      assert.ok(e1, 'an ETag');
      const valid = await req({ method: 'GET', path: '/validate', options: [{ number: CoapOptionNumber.ETAG, value: e1 }] });
      assert.equal(valid.msg.code, CoapCode.VALID);
      assert.deepEqual(etags(valid.msg), [e1]);
      assert.equal(valid.msg.payload.length, 0);
      const put = await req({ method: 'PUT', path: '/validate', payload: 'new', contentFormat: 0, options: [{ number: CoapOptionNumber.IF_MATCH, value: e1 }] });
      assert.equal(put.msg.code, CoapCode.CHANGED);
      const [e2] = etags(put.msg);
      assert.ok(e2 && Buffer.compare(e2, e1) !== 0, 'a new ETag');
      const stale = await req({ method: 'PUT', path: '/validate', payload: 'newer', contentFormat: 0, options: [{ number: CoapOptionNumber.IF_MATCH, value: e1 }] });
      assert.equal(stale.msg.code, CoapCode.PRECONDITION_FAILED);
      const again = await req({ method: 'GET', path: '/validate', options: [{ number: CoapOptionNumber.ETAG, value: e1 }] });
      assert.equal(again.msg.code, CoapCode.CONTENT);
      assert.equal(text(again.msg.payload), 'new');
      assert.deepEqual(etags(again.msg), [e2]);
      const inm = await req({ method: 'PUT', path: '/validate', payload: 'x', options: [{ number: CoapOptionNumber.IF_NONE_MATCH, value: new Uint8Array(0) }] });
      assert.equal(inm.msg.code, CoapCode.PRECONDITION_FAILED);
    });

    it('/create1: PUT with If-None-Match creates it once (2.01), then 4.12; DELETE, then 4.04', async () => {
      const inm = [{ number: CoapOptionNumber.IF_NONE_MATCH, value: new Uint8Array(0) }];
      assert.equal((await req({ method: 'GET', path: '/create1' })).msg.code, CoapCode.NOT_FOUND);
      assert.equal((await req({ method: 'PUT', path: '/create1', payload: 'one', contentFormat: 0, options: inm })).msg.code, CoapCode.CREATED);
      assert.equal((await req({ method: 'PUT', path: '/create1', payload: 'two', contentFormat: 0, options: inm })).msg.code, CoapCode.PRECONDITION_FAILED);
      assert.equal(text((await req({ method: 'GET', path: '/create1' })).msg.payload), 'one');
      assert.equal((await req({ method: 'DELETE', path: '/create1' })).msg.code, CoapCode.DELETED);
      assert.equal((await req({ method: 'GET', path: '/create1' })).msg.code, CoapCode.NOT_FOUND);
    });
  });

  describe('per-boot state', () => {
    it('a reboot loses every CoAP state: the POST count starts again', async () => {
      const posted = async () => text((await req({ method: 'POST', path: '/test', payload: 'x' })).msg.payload);
      await posted();
      assert.match(await posted(), /^POST [2-9]\d* processed$/);
      board!.runtime.reboot();
      assert.equal(await posted(), 'POST 1 processed');
    });

    it('leaves datagrams that are not CoAP to the echo service', async () => {
      const raw = await rawPeer(board!.endpoints.udp!);
      try {
        raw.send(new TextEncoder().encode('answered'));
        assert.equal(text(await raw.next()), 'answered');
        // a CoAP ping is CoAP: RST, not an echo
        raw.send(serializeCoap(buildRequest({ method: 0 }, 0x4242, new Uint8Array(0))).slice());
        const rst = parsed(await raw.next());
        assert.deepEqual([rst.type, rst.mid], [CoapType.RST, 0x4242]);
      } finally {
        raw.close();
      }
    });
  });

});
