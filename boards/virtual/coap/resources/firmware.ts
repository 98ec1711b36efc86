// The firmware resources: /fw is the image in slot 1 (PUT streams an image into it with Block1,
// firmware-upload.ts, or Q-Block1, firmware-qblock1.ts; GET reads back what the last upload wrote, by XMODEM, YMODEM or CoAP,
// with Block2 and an ETag that changes with the slot's contents), /fw/status says how much was
// written and its SHA-256, as text or CBOR (Accept), so a rig checks an upload without reading
// the image back.
import { qblockParams } from '../../../../protocols/coap/block/qblock-params.js';
import { serveBlock2 } from '../../../../protocols/coap/block/serve-block2.js';
import { CoapCode } from '../../../../protocols/coap/coap-codes.js';
import { resolveParams } from '../../../../protocols/coap/coap-params.js';
import { accept } from '../../../../protocols/coap/coap-options.js';
import { ContentFormat } from '../../../../protocols/coap/content-formats.js';
import { encodeCbor } from '../../../../protocols/smp/smp-cbor.js';
import { boardUploadSlot, type UploadSlot, type UploadStatus } from '../../xmodem/upload-slot.js';
import type { BoardResource } from '../resource.js';
import { FirmwareQBlock1 } from './firmware-qblock1.js';
import { FirmwareUpload } from './firmware-upload.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** The generation as a 4-byte ETag (RFC 7252 §5.10.6: any opaque 1-8 bytes). */
function etagOf(generation: number): Uint8Array {
  const e = new Uint8Array(4);
  new DataView(e.buffer).setUint32(0, generation >>> 0);
  return e;
}

/** /fw/status as text: one `key: value` line each. */
function statusText(st: UploadStatus, slot: UploadSlot): string {
  const lines = [`state: ${st.state}`];
  if (st.source) lines.push(`source: ${st.source}`);
  if (st.name !== undefined) lines.push(`name: ${st.name}`);
  lines.push(`size: ${st.length}`, `sha256: ${hex(st.sha256)}`, `capacity: ${slot.capacity}`);
  if (st.problem) lines.push(`problem: ${st.problem}`);
  return `${lines.join('\n')}\n`;
}

/** /fw/status as a CBOR map, the same keys (sha256 a byte string). */
function statusCbor(st: UploadStatus, slot: UploadSlot): Uint8Array {
  return encodeCbor({ state: st.state, source: st.source, name: st.name, size: st.length, sha256: st.sha256, capacity: slot.capacity, problem: st.problem });
}

/** /fw and /fw/status on `slot` (default: the board's slot 1). */
export function firmwareResources(slot: () => UploadSlot = boardUploadSlot): BoardResource[] {
  const upload = new FirmwareUpload(slot);
  // the RFC's parameters for the default CoAP transmission ones, as /large-update has them
  const qblock = new FirmwareQBlock1(slot, qblockParams(resolveParams()));
  const fw: BoardResource = {
    path: '/fw',
    link: { title: 'Firmware image in slot 1: PUT with Block1 or Q-Block1, GET reads it back', rt: 'firmware', ct: ContentFormat.OCTET_STREAM },
    handlers: {
      PUT: (x, rc) => {
        if (!qblock.receive(x, rc.ep, rc.now)) upload.put(x, rc.now);
      },
      GET: (x) => {
        const s = slot();
        const st = s.status();
        if (st.state === 'empty') return x.respond({ code: CoapCode.NOT_FOUND, payload: 'no image has been written to slot 1' });
        serveBlock2(x, s.written(), { contentFormat: ContentFormat.OCTET_STREAM, etag: etagOf(st.generation) });
      },
    },
    poll: (now) => {
      upload.poll(now);
      qblock.poll(now);
    },
  };
  const status: BoardResource = {
    path: '/fw/status',
    link: { title: 'Size and SHA-256 of the image in slot 1', ct: [ContentFormat.TEXT_PLAIN, ContentFormat.CBOR] },
    handlers: {
      GET: (x) => {
        const s = slot();
        const st = s.status();
        const want = accept(x.request) ?? ContentFormat.TEXT_PLAIN;
        if (want === ContentFormat.TEXT_PLAIN) return x.respond({ code: CoapCode.CONTENT, contentFormat: want, payload: statusText(st, s) });
        if (want === ContentFormat.CBOR) return x.respond({ code: CoapCode.CONTENT, contentFormat: want, payload: statusCbor(st, s) });
        x.respond({ code: CoapCode.NOT_ACCEPTABLE, payload: 'text/plain (0) or application/cbor (60) only' });
      },
    },
  };
  return [fw, status];
}
