// Finding MCUmgr SMP packets in the raw bytes of a serial line, to name them in a trace. The
// serial transport (Zephyr "SMP over console") sends each packet as text frames of at most 127
// bytes: 0x06 0x09 opens a packet, 0x04 0x14 a continuation frame, base64 follows, a newline
// ends the frame. The base64 of a packet's first frame starts with its 16-bit length and the
// 8-byte SMP header (op, flags, length, group, sequence, command id; big-endian).
// Best effort and display only: a frame split over chunks is named in the chunk where it ends.

const MAX_FRAME = 127;
const NL = 0x0a;

const OPS = ['read request', 'read response', 'write request', 'write response'];
/** Group ids of Zephyr's MCUmgr (the management groups a board is likely to speak). */
const GROUPS: Record<number, string> = { 0: 'os', 1: 'image', 2: 'stat', 3: 'settings', 4: 'log', 5: 'crash', 6: 'split', 7: 'run', 8: 'fs', 9: 'shell', 10: 'enum', 63: 'zephyr' };

/** What a complete frame line says: its header fields when it is a packet's first frame. */
export function describeSmpFrame(frame: Uint8Array): string {
  if (frame[0] === 0x04) return 'smp frame (continuation)';
  const end = frame[frame.length - 1] === NL ? frame.length - 1 : frame.length;
  const text = Buffer.from(frame.buffer, frame.byteOffset + 2, Math.max(0, end - 2)).toString('latin1');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return 'smp frame (not valid base64)';
  const raw = Buffer.from(text, 'base64');
  if (raw.length < 10) return 'smp frame';
  const op = raw[2]! & 0x07;
  const version = (raw[2]! >> 3) & 0x03;
  const group = raw.readUInt16BE(6);
  const seq = raw[8]!;
  const id = raw[9]!;
  const groupName = GROUPS[group] === undefined ? `${group}` : `${group} (${GROUPS[group]})`;
  return `smp frame: ${OPS[op] ?? `op ${op}`}, group ${groupName} command ${id}, seq ${seq}${version ? `, SMP v${version + 1}` : ''}`;
}

function isMarker(a: number | undefined, b: number | undefined): boolean {
  return (a === 0x06 && b === 0x09) || (a === 0x04 && b === 0x14);
}

/** One direction of one serial line: notes for each chunk, SMP frames only. */
export class SmpFrameNotes {
  /** an unfinished frame (marker included) carried into the next chunk */
  private tail = new Uint8Array(0);

  /** Notes for the frames that end (or start without ending) in `chunk`. Never throws. */
  notes(chunk: Uint8Array): string[] {
    const carried = this.tail.length;
    const view = carried === 0 ? chunk : concat(this.tail, chunk);
    this.tail = new Uint8Array(0);
    const out: string[] = [];
    let i = 0;
    while (i + 1 < view.length) {
      if (!isMarker(view[i], view[i + 1])) {
        i++;
        continue;
      }
      const nl = view.indexOf(NL, i + 2);
      if (nl < 0 || nl - i >= MAX_FRAME + 64) {
        if (nl < 0 && view.length - i <= MAX_FRAME + 64) {
          // the frame continues in the next chunk; say so where it starts
          if (i >= carried) out.push('smp frame starts here (continues in the next packet)');
          this.tail = view.slice(i);
          return out;
        }
        i += 2; // far too long for a frame: not one
        continue;
      }
      const desc = describeSmpFrame(view.subarray(i, nl + 1));
      out.push(i < carried ? `${desc} (began in an earlier packet)` : desc);
      i = nl + 1;
    }
    // a marker split between chunks: keep its first byte
    const last = view[view.length - 1];
    if ((last === 0x06 || last === 0x04) && i < view.length) this.tail = view.slice(view.length - 1);
    return out;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
