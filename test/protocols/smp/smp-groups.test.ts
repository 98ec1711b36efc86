// The typed requests and readers of groups 0 and 1 (Zephyr smp_groups/smp_group_0.rst and
// smp_group_1.rst), and the error descriptions of SMP v1 `rc` and SMP v2 `err`.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  describeSmpError,
  echoRequest,
  groupErrName,
  imageEraseRequest,
  imageStateRequest,
  imageStateWriteRequest,
  maxUploadData,
  mcumgrParamsRequest,
  mgmtErrName,
  readEcho,
  readImageState,
  readMcumgrParams,
  readUpload,
  resetRequest,
  smpErrorOf,
  SmpResponseError,
  uploadRequest,
  uploadSha,
} from '../../../protocols/smp/smp-groups.js';
import { encodeSmp, type SmpBody, type SmpMessage, SmpOp } from '../../../protocols/smp/smp-header.js';

const rsp = (group: number, id: number, body: SmpBody, op: SmpMessage['op'] = SmpOp.WriteRsp): SmpMessage => ({ op, version: 1, flags: 0, group, seq: 0, id, body });
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('SMP group 0 (OS)', () => {
  it('echo: a write to group 0 id 0 with "d"; the answer is "r"', () => {
    assert.deepEqual(echoRequest('hi'), { op: SmpOp.Write, group: 0, id: 0, body: { d: 'hi' }, name: 'echo' });
    assert.equal(readEcho(rsp(0, 0, { r: 'hi' })), 'hi');
    assert.throws(() => readEcho(rsp(0, 0, {})), (e: unknown) => e instanceof SmpResponseError && /echo: the response has no string "r"/.test(e.message));
  });

  it('reset: a write to group 0 id 5, empty unless forced; MCUmgr parameters: a read of id 6', () => {
    assert.deepEqual(resetRequest().body, {});
    assert.deepEqual(resetRequest({ force: true, bootMode: 1 }).body, { force: true, boot_mode: 1 });
    assert.deepEqual({ ...resetRequest(), body: undefined, name: undefined }, { op: SmpOp.Write, group: 0, id: 5, body: undefined, name: undefined });
    const p = mcumgrParamsRequest();
    assert.deepEqual([p.op, p.group, p.id], [SmpOp.Read, 0, 6]);
    assert.deepEqual(readMcumgrParams(rsp(0, 6, { buf_size: 2475, buf_count: 4 }, SmpOp.ReadRsp)), { bufSize: 2475, bufCount: 4 });
  });

  it('a reader turns an SMP v1 rc into SmpResponseError carrying the error', () => {
    assert.throws(
      () => readMcumgrParams(rsp(0, 6, { rc: 8 }, SmpOp.ReadRsp)),
      (e: unknown) => e instanceof SmpResponseError && e.code === 'PROTOCOL' && e.smpError?.kind === 'rc' && /rc 8 \(MGMT_ERR_ENOTSUP: command not supported\)/.test(e.message),
    );
    // the legacy "rc": 0 of older Zephyr is a success
    assert.equal(readEcho(rsp(0, 0, { rc: 0, r: 'x' })), 'x');
  });
});

describe('SMP group 1 (images)', () => {
  const hash = new Uint8Array(32).fill(0xab);

  it('state read: a read of group 1 id 0; the answer lists slots with their flags (false when absent)', () => {
    assert.deepEqual(imageStateRequest(), { op: SmpOp.Read, group: 1, id: 0, body: {}, name: 'image state' });
    const state = readImageState(
      rsp(
        1,
        0,
        {
          images: [
            { slot: 0, version: '1.0.0', hash, bootable: true, confirmed: true, active: true },
            { image: 0, slot: 1, version: '1.1.0+7', hash, pending: true },
          ],
          splitStatus: 0,
        },
        SmpOp.ReadRsp,
      ),
    );
    assert.deepEqual(state, {
      images: [
        { slot: 0, version: '1.0.0', hash, bootable: true, pending: false, confirmed: true, active: true, permanent: false },
        { image: 0, slot: 1, version: '1.1.0+7', hash, bootable: false, pending: true, confirmed: false, active: false, permanent: false },
      ],
      splitStatus: 0,
    });
    assert.throws(() => readImageState(rsp(1, 0, { images: [{ slot: 0 }] })), /images\[0\]: the response has no string "version"/);
    assert.throws(() => readImageState(rsp(1, 0, {})), /no "images" array/);
  });

  it('state write: "hash" as a byte string and "confirm"', () => {
    const t = imageStateWriteRequest({ hash, confirm: false });
    assert.deepEqual([t.op, t.group, t.id], [SmpOp.Write, 1, 0]);
    assert.deepEqual(t.body, { confirm: false, hash });
    assert.deepEqual(imageStateWriteRequest({ confirm: true }).body, { confirm: true });
    // on the wire, the hash is CBOR major type 2 (0x58 0x20 = byte string of 32)
    const wire = encodeSmp({ ...t, version: 0, flags: 0, seq: 0 });
    assert.ok(hex(wire).includes('6468617368' + '5820' + 'ab'.repeat(32)));
  });

  it('upload: the first chunk carries len, the full SHA-256 of the file and upgrade; later chunks only off and data', () => {
    const file = Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff);
    const sha = new Uint8Array(createHash('sha256').update(file).digest());
    const first = uploadRequest(file, 0, 256, { upgrade: true, image: 0 });
    assert.deepEqual([first.op, first.group, first.id], [SmpOp.Write, 1, 1]);
    assert.deepEqual(Object.keys(first.body!), ['image', 'len', 'sha', 'upgrade', 'off', 'data']);
    assert.deepEqual(first.body, { image: 0, len: 1000, sha, upgrade: true, off: 0, data: file.subarray(0, 256) });
    const next = uploadRequest(file, 256, 256);
    assert.deepEqual(next.body, { off: 256, data: file.subarray(256, 512) });
    assert.deepEqual(uploadRequest(file, 900, 256).body!.data, file.subarray(900));
    // older clients sent a truncated sha as the session tag; 'none' sends none
    assert.deepEqual(uploadSha(file, 3), sha.subarray(0, 3));
    assert.equal('sha' in uploadRequest(file, 0, 10, { sha: 'none' }).body!, false);
    assert.throws(() => uploadSha(file, 33), /1 to 32 bytes/);
  });

  it('upload answer: "off", and "match" on the last chunk of newer Zephyr', () => {
    assert.deepEqual(readUpload(rsp(1, 1, { off: 512 })), { off: 512 });
    assert.deepEqual(readUpload(rsp(1, 1, { off: 1000, match: true })), { off: 1000, match: true });
    assert.throws(
      () => readUpload(rsp(1, 1, { err: { group: 1, rc: 9 } })),
      (e: unknown) => e instanceof SmpResponseError && e.message === 'image upload: the device answered image group: 9 (IMG_MGMT_ERR_NO_FREE_SLOT: no free slot to upload into)',
    );
  });

  it('sizes a chunk so the whole SMP message fits a buffer, exactly', () => {
    const file = new Uint8Array(5000).fill(1);
    for (const [off, limit] of [
      [0, 384],
      [0, 2475],
      [128, 384],
      [4900, 384],
      [100, 30],
    ] as const) {
      const n = maxUploadData(file, off, limit);
      const size = (k: number): number => encodeSmp({ ...uploadRequest(file, off, k), version: 0, flags: 0, seq: 0 }).length;
      if (n > 0) assert.ok(size(n) <= limit, `off ${off} limit ${limit}: ${n} bytes make ${size(n)}`);
      if (off + n < file.length) assert.ok(size(n + 1) > limit, `off ${off} limit ${limit}: ${n + 1} bytes would still fit`);
    }
    assert.equal(maxUploadData(file, 0, 20), 0, 'not even the first chunk fields fit 20 bytes');
  });

  it('erase: a write to group 1 id 5, slot optional', () => {
    assert.deepEqual(imageEraseRequest().body, {});
    assert.deepEqual(imageEraseRequest(1), { op: SmpOp.Write, group: 1, id: 5, body: { slot: 1 }, name: 'image erase' });
  });
});

describe('SMP errors', () => {
  it('finds the error in SMP v1 "rc" (with "rsn") and SMP v2 "err"; 0 and absence are success', () => {
    assert.equal(smpErrorOf({}), undefined);
    assert.equal(smpErrorOf({ rc: 0 }), undefined);
    assert.equal(smpErrorOf({ err: { group: 1, rc: 0 } }), undefined);
    assert.deepEqual(smpErrorOf({ rc: 3, rsn: 'header malformed' }), { kind: 'rc', rc: 3, rsn: 'header malformed' });
    assert.deepEqual(smpErrorOf({ err: { group: 1, rc: 6 } }), { kind: 'group', group: 1, rc: 6 });
  });

  it('describes them with the group, the number and the name', () => {
    assert.equal(describeSmpError({ kind: 'group', group: 1, rc: 6 }), 'image group: 6 (IMG_MGMT_ERR_TLV_MULTIPLE_HASHES_FOUND: the image has several hash TLVs)');
    assert.equal(describeSmpError({ kind: 'group', group: 0, rc: 4 }), 'OS group: 4 (OS_MGMT_ERR_RTC_NOT_SET: the RTC is not set)');
    assert.equal(describeSmpError({ kind: 'rc', rc: 6, rsn: 'img pending' }), 'rc 6 (MGMT_ERR_EBADSTATE: the current state does not allow the command); device says "img pending"');
    assert.equal(describeSmpError({ kind: 'rc', rc: 11 }), 'rc 11 (MGMT_ERR_EACCESSDENIED: access denied)');
    assert.equal(describeSmpError({ kind: 'rc', rc: 258 }), 'rc 258 (MGMT_ERR_EPERUSER+2)');
    assert.equal(describeSmpError({ kind: 'group', group: 64, rc: 2 }), 'user group 64: 2 (a code this rig has no name for)');
  });

  it('names the mcumgr_err_t values and the image group codes by number', () => {
    const names = ['EOK', 'EUNKNOWN', 'ENOMEM', 'EINVAL', 'ETIMEOUT', 'ENOENT', 'EBADSTATE', 'EMSGSIZE', 'ENOTSUP', 'ECORRUPT', 'EBUSY', 'EACCESSDENIED'];
    names.forEach((n, i) => assert.equal(mgmtErrName(i), `MGMT_ERR_${n}`));
    assert.equal(mgmtErrName(14), undefined);
    assert.equal(groupErrName(1, 23), 'IMG_MGMT_ERR_INVALID_IMAGE_HEADER_MAGIC');
    assert.equal(groupErrName(1, 27), 'IMG_MGMT_ERR_CURRENT_VERSION_IS_NEWER');
    assert.equal(groupErrName(1, 33), 'IMG_MGMT_ERR_IMAGE_SETTING_TEST_TO_ACTIVE_DENIED');
  });
});
