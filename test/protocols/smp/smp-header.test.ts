// The SMP header and CBOR body (Zephyr smp_protocol.rst, "Frame: The envelope"), with vectors
// worked out by hand from the document's bit layout.
import assert from 'node:assert/strict';
import { decodeSmp, describeSmpHeader, encodeSmp, responseTo, SMP_HEADER_SIZE, type SmpMessage, SmpOp } from '../../../protocols/smp/smp-header.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const fromHex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

/** echo "hello", SMP v1, write, group 0, seq 0, id 0 */
const ECHO_HELLO = '02 00 0009 0000 00 00' + ' a1 61 64 65 68 65 6c 6c 6f';

describe('SMP header and message codec', () => {
  it('encodes an echo request byte for byte: op 2, Data Length 9, group 0, then {"d":"hello"} as minimal CBOR', () => {
    const m: SmpMessage = { op: SmpOp.Write, version: 0, flags: 0, group: 0, seq: 0, id: 0, body: { d: 'hello' } };
    assert.equal(hex(encodeSmp(m)), ECHO_HELLO.replace(/\s+/g, ''));
  });

  it('puts Ver in bits 4-3 and OP in bits 2-0, and the multi-byte fields big-endian', () => {
    // SMP v2 (Ver 1) read response, flags 0x5a, group 0x0102, seq 0xfe, id 0x07, empty map
    const m: SmpMessage = { op: SmpOp.ReadRsp, version: 1, flags: 0x5a, group: 0x0102, seq: 0xfe, id: 7, body: {} };
    assert.equal(hex(encodeSmp(m)), '095a0001' + '0102' + 'fe07' + 'a0');
  });

  it('decodes the echo vector back, keeping the raw data and reserved bits', () => {
    const r = decodeSmp(fromHex(ECHO_HELLO));
    assert.equal(r.kind, 'ok');
    if (r.kind !== 'ok') return;
    assert.equal(r.consumed, 17);
    assert.deepEqual(r.value.body, { d: 'hello' });
    assert.deepEqual({ ...r.value, body: undefined, data: undefined }, { op: 2, version: 0, flags: 0, group: 0, seq: 0, id: 0, reserved: 0, body: undefined, data: undefined });
    assert.equal(hex(r.value.data!), 'a161646568656c6c6f');
  });

  it('writes integers above 32 bits as CBOR uint64 (zcbor reads no floats) and byte strings untagged', () => {
    const bytes = encodeSmp({ op: 2, version: 0, flags: 0, group: 1, seq: 0, id: 1, body: { off: 2 ** 33, data: Uint8Array.of(1, 2) } });
    assert.equal(hex(bytes.subarray(SMP_HEADER_SIZE)), 'a2' + '636f6666' + '1b0000000200000000' + '6464617461' + '420102');
    const back = decodeSmp(bytes);
    assert.ok(back.kind === 'ok');
    assert.deepEqual(back.value.body, { off: 2 ** 33, data: Uint8Array.of(1, 2) });
    assert.equal(Object.getPrototypeOf(back.value.body!.data), Uint8Array.prototype, 'a plain Uint8Array, not a Buffer');
  });

  it('sends no data at all for a message without body or data (Data Length 0)', () => {
    const bytes = encodeSmp({ op: SmpOp.Read, version: 0, flags: 0, group: 0, seq: 3, id: 6 });
    assert.equal(hex(bytes), '0000000000000306');
    const back = decodeSmp(bytes);
    assert.ok(back.kind === 'ok');
    assert.equal(back.value.body, undefined);
  });

  it('names the rule for a header cut short, a length mismatch both ways, an op above 3', () => {
    const short = decodeSmp(fromHex('02000009'));
    assert.ok(short.kind === 'malformed' && /shorter than the header/.test(short.rule), JSON.stringify(short));
    const truncated = decodeSmp(fromHex(ECHO_HELLO).subarray(0, 12));
    assert.ok(truncated.kind === 'malformed' && /says 9 bytes of data, 4 present/.test(truncated.rule), JSON.stringify(truncated));
    const extra = decodeSmp(new Uint8Array([...fromHex(ECHO_HELLO), 0]));
    assert.ok(extra.kind === 'malformed' && extra.offset === 17 && /Data Length is the length/.test(extra.rule), JSON.stringify(extra));
    const badOp = decodeSmp(fromHex('0500 0000 0000 0000'));
    assert.ok(badOp.kind === 'malformed' && /OP is 0 .*got 5/.test(badOp.rule), JSON.stringify(badOp));
  });

  it('in stream mode asks for the missing bytes and leaves what follows', () => {
    const two = new Uint8Array([...fromHex(ECHO_HELLO), ...fromHex(ECHO_HELLO)]);
    assert.deepEqual(decodeSmp(two.subarray(0, 5), { mode: 'stream' }), { kind: 'incomplete', needed: 3 });
    assert.deepEqual(decodeSmp(two.subarray(0, 10), { mode: 'stream' }), { kind: 'incomplete', needed: 7 });
    const first = decodeSmp(two, { mode: 'stream' });
    assert.ok(first.kind === 'ok' && first.consumed === 17);
  });

  it('refuses a body that is not a CBOR map, or not CBOR, for groups 0-63', () => {
    const arr = decodeSmp(fromHex('02 00 0002 0000 00 00 80 80'));
    assert.ok(arr.kind === 'malformed' && /CBOR/.test(arr.rule), JSON.stringify(arr));
    const list = decodeSmp(fromHex('02 00 0001 0000 00 00 80'));
    assert.ok(list.kind === 'malformed' && /data is a CBOR map; got an array/.test(list.rule), JSON.stringify(list));
    const cut = decodeSmp(fromHex('02 00 0002 0000 00 00 a1 61'));
    assert.ok(cut.kind === 'malformed' && /ends after the data does/.test(cut.rule), JSON.stringify(cut));
  });

  it('keeps the raw data of a user group (64 and above) whose payload is not CBOR', () => {
    const r = decodeSmp(fromHex('02 00 0003 0040 00 01 ff ff ff'));
    assert.ok(r.kind === 'ok');
    assert.equal(r.value.body, undefined);
    assert.equal(hex(r.value.data!), 'ffffff');
  });

  it('builds the response to a request: op + 1, same version, group, sequence and command', () => {
    const req: SmpMessage = { op: SmpOp.Read, version: 1, flags: 0, group: 1, seq: 42, id: 0, body: {} };
    assert.deepEqual(responseTo(req, { images: [] }), { op: SmpOp.ReadRsp, version: 1, flags: 0, group: 1, seq: 42, id: 0, body: { images: [] } });
    assert.equal(responseTo({ ...req, op: SmpOp.Write }).op, SmpOp.WriteRsp);
    assert.equal(describeSmpHeader(req), 'read group 1 id 0 seq 42');
  });

  it('throws a TypeError naming the field for values the header cannot hold', () => {
    assert.throws(() => encodeSmp({ op: 2, version: 0, flags: 0, group: 0x10000, seq: 0, id: 0 }), /group must be a whole number from 0 to 65535/);
    assert.throws(() => encodeSmp({ op: 2, version: 0, flags: 0, group: 0, seq: 256, id: 0 }), /seq/);
    assert.throws(() => encodeSmp({ op: 2, version: 0, flags: 0, group: 0, seq: 0, id: 0, body: { d: 'x'.repeat(70000) } }), /Data Length holds at most 65535/);
  });
});
