// `hilrig coap` against libcoap's coap-server-notls: a server nobody here wrote.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { type LibcoapServer, freeUdpPort, startLibcoapServer } from '../helpers/libcoap.js';
import { CLI } from '../helpers/cli.js';


function coap(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, 'coap', ...args], { timeout: 20000, encoding: 'utf8' }, (error, out, err) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, out, err });
    });
  });
}

describe('hilrig coap against coap-server-notls', () => {
  let server: LibcoapServer;
  before(async () => {
    server = await startLibcoapServer(['-d', '10']);
  });
  after(async () => {
    await server.stop();
  });

  it('discover prints /.well-known/core in link-format and exits 0', async () => {
    const r = await coap(['discover', server.url]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /<\/time>;.*rt="ticks"/);
    assert.match(r.err, /^2\.05 Content \(\d+ B, /m);
  });

  it('-v shows every message with type, code, MID, token and options', async () => {
    const r = await coap(['get', `${server.url}/.well-known/core`, '-v']);
    assert.equal(r.code, 0);
    assert.match(r.err, /^→ CON 0\.01 GET MID 0x[0-9a-f]{4} token [0-9a-f]{8} Uri-Path:"\.well-known" Uri-Path:"core" \(0 B\)$/m);
    assert.match(r.err, /^← ACK 2\.05 Content MID 0x[0-9a-f]{4} token [0-9a-f]{8} Content-Format:application\/link-format \(40\) \(\d+ B\)$/m);
  });

  it('put then get returns the same body; a NON request works too', async () => {
    const put = await coap(['put', `${server.url}/cli-test`, '--payload', 'hello board', '--content-format', 'text/plain']);
    assert.equal(put.code, 0, put.err);
    assert.match(put.err, /^2\.01 Created/m);
    const get = await coap(['get', `${server.url}/cli-test`, '--non']);
    assert.equal(get.code, 0, get.err);
    assert.equal(get.out, 'hello board');
  });

  it('a 4.04 answer exits 1 and prints the code', async () => {
    const r = await coap(['get', `${server.url}/no-such-resource`]);
    assert.equal(r.code, 1);
    assert.match(r.err, /^4\.04 Not Found/m);
  });

  it('ping answers pong', async () => {
    const r = await coap(['ping', server.url]);
    assert.equal(r.code, 0);
    assert.match(r.err, /^pong \(RST\)/m);
  });

  it('nothing listening: exit 3 with the reason', async () => {
    const port = await freeUdpPort();
    const r = await coap(['get', `coap://127.0.0.1:${port}/x`, '--timeout', '2000']);
    assert.equal(r.code, 3);
    assert.match(r.err, /port unreachable/);
  });

  it('usage errors name what is wrong (exit 2)', async () => {
    assert.match((await coap(['fetchh', server.url])).err, /expected a method first: get\|put/);
    assert.match((await coap(['get', 'http://x/'])).err, /not a CoAP URI/);
    assert.match((await coap(['get', server.url, '--block', '100'])).err, /--block 100: expected a power of two from 16 to 1024/);
    const r = await coap(['put', server.url, '--payload', 'a', '--file', 'b']);
    assert.equal(r.code, 2);
  });
});
