// Output buffers for serializers, carved from shared slabs. A fresh `new Uint8Array(n)` of more
// than a few dozen bytes gets its own off-heap ArrayBuffer, which costs several times more than
// writing a whole CoAP message; a view into a slab costs about as much as a small object. This
// is what Buffer.allocUnsafe's pool does, without handing out Buffers.
//
// The price, to document wherever a result comes from here: the view's .buffer is shared with
// other results, so copy it (.slice()) before transferring or detaching its ArrayBuffer.

const SLAB_SIZE = 16 * 1024;
/** Larger requests get their own ArrayBuffer; a slab would hold too few of them. */
const MAX_FROM_SLAB = SLAB_SIZE / 4;

let slab = new ArrayBuffer(SLAB_SIZE);
let used = 0;

/** A fresh, zeroed view of n bytes (slab space is never handed out twice). */
export function takeBytes(n: number): Uint8Array {
  if (n > MAX_FROM_SLAB) return new Uint8Array(n);
  // a detached slab (someone transferred a result's .buffer) reports byteLength 0: start anew
  if (used + n > slab.byteLength) {
    slab = new ArrayBuffer(SLAB_SIZE);
    used = 0;
  }
  const view = new Uint8Array(slab, used, n);
  used += n;
  return view;
}
