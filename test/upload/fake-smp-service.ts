// A small SMP server for the uploader's tests, as a service of the virtual board (so it runs on
// the same pty and UDP plumbing, and the board's `reboot` clears its RAM), answering the way
// Zephyr's img_mgmt does (smp_group_1.rst; img_mgmt_upload_inspect):
// - off 0 starts an upload (len, sha); off 0 with the len and sha of the upload in progress
//   resumes it: the answer carries the offset reached and nothing is written;
// - any other off than the expected one: the data is dropped and the expected off answered;
//   after a reset that is 0;
// - the last chunk answers "match" when a 32-byte sha came;
// - the image list shows slot 1 with the version and SHA-256 TLV of what was uploaded there,
//   bootable when that TLV matches the bytes (checked while the data streams in);
// - MCUmgr parameters (buf_size, buf_count) unless told not to answer them.
// Slot 1 survives reboots (flash); the upload in progress does not (RAM). With `keep: false`
// the data is not stored, only hashed, for uploads larger than memory should hold.
import { createHash, type Hash } from 'node:crypto';
import { formatVersion, IMAGE_HEADER_SIZE, parseImageHeader, parseImage, encodeImageHeader, TlvType } from '../../protocols/mcuboot/image.js';
import { decodeSmp, encodeSmp, isRequestOp, responseTo, type SmpBody, type SmpMessage, SmpOp } from '../../protocols/smp/smp-header.js';
import { encodeSmpSerial, SmpSerialDecoder } from '../../protocols/smp/smp-serial-codec.js';
import { type BoardService, SERIAL_WAIT, type ServiceContext } from '../../boards/virtual/service.js';

export interface FakeSmpOptions {
  bufSize?: number;
  bufCount?: number;
  /** answer MCUmgr parameters (default true) */
  params?: boolean;
  /** store the uploaded bytes (default true); false only hashes them */
  keep?: boolean;
  /** called after each upload chunk was taken, with the new offset */
  onChunk?: (off: number, ctx: ServiceContext) => void;
}

interface Upload {
  len: number;
  sha: Uint8Array;
  off: number;
  data?: Uint8Array;
  fileHash: Hash;
  /** the image hash over header, body and protected TLVs (known once the header came) */
  imageHash?: Hash;
  hashedLength: number;
  head: Uint8Array;
  /** the last bytes (where the TLV area is), kept when the data is not */
  tail: Uint8Array;
}

export interface SlotImage {
  version: string;
  hash?: Uint8Array;
  bootable: boolean;
  /** the bytes, when kept */
  bytes?: Uint8Array;
}

export interface FakeSmp {
  service: BoardService;
  /** what slot 1 holds (survives reboots) */
  slot1(): SlotImage | undefined;
  /** every upload request's off, in arrival order */
  offsets: number[];
  /** requests per command, 'group/id' */
  counts: Map<string, number>;
  /** requests larger than buf_size (dropped unanswered, as a full buffer would drop them) */
  oversize: number[];
}

const TAIL = 128 * 1024;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

export function fakeSmpService(opts: FakeSmpOptions = {}): FakeSmp {
  const bufSize = opts.bufSize ?? 1024;
  const bufCount = opts.bufCount ?? 4;
  const keep = opts.keep ?? true;
  let slot1: SlotImage | undefined;
  const offsets: number[] = [];
  const counts = new Map<string, number>();
  const oversize: number[] = [];
  const ram = (ctx: ServiceContext): { decoder: SmpSerialDecoder; upload?: Upload } => ctx.state(() => ({ decoder: new SmpSerialDecoder() }));

  function finish(u: Upload): SmpBody {
    const match = u.sha.length === 32 ? hex(new Uint8Array(u.fileHash.digest())) === hex(u.sha) : undefined;
    slot1 = { version: '0.0.0', bootable: false, bytes: u.data };
    const head = parseImageHeader(u.head);
    if (head.kind === 'ok') {
      // the TLV area, behind a header whose body is empty (the tail holds the end of the file)
      const bodyEnd = head.value.hdrSize + head.value.imgSize;
      const tailAt = u.len - u.tail.length;
      if (bodyEnd >= tailAt) {
        const tlvBytes = u.tail.subarray(bodyEnd - tailAt);
        const shadow = new Uint8Array(IMAGE_HEADER_SIZE + tlvBytes.length);
        shadow.set(encodeImageHeader({ ...head.value, hdrSize: IMAGE_HEADER_SIZE, imgSize: 0 }));
        shadow.set(tlvBytes, IMAGE_HEADER_SIZE);
        const img = parseImage(shadow);
        const tlv = img.kind === 'ok' ? img.value.tlvs.find((t) => t.type === TlvType.SHA256) : undefined;
        const computed = u.imageHash ? new Uint8Array(u.imageHash.digest()) : undefined;
        slot1 = { version: formatVersion(head.value.version), hash: tlv?.value.slice(), bootable: !!tlv && !!computed && hex(tlv.value) === hex(computed), bytes: u.data };
      }
    }
    return match === undefined ? { off: u.off } : { off: u.off, match };
  }

  function take(u: Upload, chunk: Uint8Array): void {
    u.data?.set(chunk, u.off);
    u.fileHash.update(chunk);
    if (u.off < IMAGE_HEADER_SIZE) {
      const need = IMAGE_HEADER_SIZE - u.off;
      const head = new Uint8Array(Math.min(IMAGE_HEADER_SIZE, u.off + chunk.length));
      head.set(u.head.subarray(0, u.off));
      head.set(chunk.subarray(0, Math.min(need, chunk.length)), u.off);
      u.head = head;
      const h = parseImageHeader(head);
      if (h.kind === 'ok' && !u.imageHash) {
        u.imageHash = createHash('sha256');
        u.hashedLength = h.value.hdrSize + h.value.imgSize + h.value.protectTlvSize;
        u.imageHash.update(head.subarray(0, Math.min(head.length, u.hashedLength)));
        if (chunk.length > need) u.imageHash.update(chunk.subarray(need, Math.max(need, Math.min(chunk.length, u.hashedLength - u.off))));
      }
    } else if (u.imageHash && u.off < u.hashedLength) {
      u.imageHash.update(chunk.subarray(0, Math.min(chunk.length, u.hashedLength - u.off)));
    }
    const end = u.off + chunk.length;
    if (end > u.len - TAIL) {
      const from = Math.max(0, u.len - TAIL - u.off);
      const tailAt = Math.max(0, u.len - TAIL);
      if (u.tail.length < Math.min(TAIL, u.len)) u.tail = new Uint8Array(Math.min(TAIL, u.len));
      u.tail.set(chunk.subarray(from), u.off + from - tailAt);
    }
    u.off = end;
  }

  function upload(ctx: ServiceContext, body: SmpBody): SmpBody {
    const r = ram(ctx);
    const off = body.off;
    const data = body.data;
    if (typeof off !== 'number' || !(data instanceof Uint8Array)) return { rc: 3 };
    offsets.push(off);
    if (off === 0) {
      const len = body.len;
      const sha = body.sha instanceof Uint8Array ? body.sha : new Uint8Array(0);
      if (typeof len !== 'number') return { rc: 3 };
      const u0 = r.upload;
      if (u0 && u0.len === len && sha.length > 0 && hex(u0.sha) === hex(sha) && u0.off > 0) return { off: u0.off };
      r.upload = { len, sha, off: 0, data: keep ? new Uint8Array(len) : undefined, fileHash: createHash('sha256'), hashedLength: 0, head: new Uint8Array(0), tail: new Uint8Array(0) };
    }
    const u = r.upload;
    if (!u || off !== u.off) return { off: u?.off ?? 0 };
    if (off + data.length > u.len) return { rc: 3 };
    take(u, data);
    opts.onChunk?.(u.off, ctx);
    if (u.off === u.len) {
      const out = finish(u);
      r.upload = undefined;
      return out;
    }
    return { off: u.off };
  }

  function imageList(): SmpBody {
    const images: SmpBody[] = [{ slot: 0, version: '1.0.0', hash: new Uint8Array(32).fill(0xaa), bootable: true, pending: false, confirmed: true, active: true, permanent: false }];
    if (slot1) images.push({ slot: 1, version: slot1.version, ...(slot1.hash ? { hash: slot1.hash } : {}), bootable: slot1.bootable, pending: false, confirmed: false, active: false, permanent: false });
    return { images, splitStatus: 0 };
  }

  /** The answer body for a request, and what to do after it has left. */
  function handle(ctx: ServiceContext, req: SmpMessage): { body: SmpBody; after?: () => void } {
    const key = `${req.group}/${req.id}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    const body = req.body ?? {};
    if (req.group === 0 && req.id === 6) return { body: opts.params === false ? { rc: 8 } : { buf_size: bufSize, buf_count: bufCount } };
    if (req.group === 0 && req.id === 5) return { body: {}, after: () => ctx.reboot() };
    if (req.group === 1 && req.id === 0 && req.op === SmpOp.Read) return { body: imageList() };
    if (req.group === 1 && req.id === 1 && req.op === SmpOp.Write) return { body: upload(ctx, body) };
    return { body: { rc: 8 } };
  }

  const service: BoardService = {
    name: 'fake-smp',
    onDatagram(ctx, bytes) {
      const d = decodeSmp(bytes);
      if (d.kind !== 'ok' || !isRequestOp(d.value.op)) return false;
      if (bytes.length > bufSize) {
        oversize.push(bytes.length);
        return true;
      }
      const { body, after } = handle(ctx, d.value);
      ctx.reply(encodeSmp(responseTo(d.value, body)));
      after?.();
      return true;
    },
    onSerialBytes(ctx, view) {
      const b0 = view[0];
      if (b0 !== 0x06 && b0 !== 0x04) return 0;
      if (view.length < 2) return SERIAL_WAIT;
      if (!((b0 === 0x06 && view[1] === 0x09) || (b0 === 0x04 && view[1] === 0x14))) return 0;
      const nl = view.indexOf(0x0a);
      if (nl < 0) return SERIAL_WAIT;
      const r = ram(ctx);
      for (const item of r.decoder.push(view.slice(0, nl + 1))) {
        if (item.kind !== 'packet') continue;
        const d = decodeSmp(item.message);
        if (d.kind !== 'ok' || !isRequestOp(d.value.op)) continue;
        // the packet as the board reassembles it: length field, message, CRC
        if (item.message.length + 4 > bufSize) {
          oversize.push(item.message.length + 4);
          continue;
        }
        const { body, after } = handle(ctx, d.value);
        ctx.writeSerial(encodeSmpSerial(encodeSmp(responseTo(d.value, body))));
        after?.();
      }
      return nl + 1;
    },
  };
  return { service, slot1: () => slot1, offsets, counts, oversize };
}
