// Names for what a chunk of raw serial bytes carries, for the packet comments of a trace: the
// slipmux frames (CoAP messages, diagnostics, IP packets; draft-bormann-t2trg-slipmux) and SMP
// frames the protocols' codecs recognise. Wireshark has no dissector for a serial line, so these
// comments are how a reader finds `frame.comment contains "slipmux"` in thousands of chunks.
//
// Per direction of a connection, because a frame may span chunks: it is named in the chunk where
// it ends, and a chunk where one starts without ending says so. Best effort by design: state is
// bounded, and nothing here throws into the writer.
import { parseCoap } from '../../protocols/coap/coap-codec.js';
import { DEFAULT_MAX_SLIPMUX_FRAME, idleDelimiters, nextSlipmuxItem, type SlipmuxItem } from '../../protocols/slipmux/slipmux-codec.js';
import { SmpFrameNotes } from './smp-serial-notes.js';

/** Notes in one comment, at most; a burst of tiny frames gets "and N more". */
const MAX_NOTES = 8;
const SLIP_END = 0xc0;
const METHODS: Record<number, string> = { 1: 'GET', 2: 'POST', 3: 'PUT', 4: 'DELETE', 5: 'FETCH', 6: 'PATCH', 7: 'iPATCH' };
const TYPES = ['CON', 'NON', 'ACK', 'RST'];

/** 'CoAP ACK 2.05 MID 0x1234', or why the message is not one. */
export function describeCoapBytes(bytes: Uint8Array): string {
  const r = parseCoap(bytes);
  if (r.kind !== 'ok') return `CoAP, malformed (${r.kind === 'malformed' ? r.rule : 'truncated'})`;
  const m = r.value;
  const code = `${m.code >> 5}.${String(m.code & 0x1f).padStart(2, '0')}`;
  const method = m.code >> 5 === 0 && METHODS[m.code] ? ` ${METHODS[m.code]}` : '';
  return `CoAP ${TYPES[m.type]} ${code}${method} MID 0x${m.mid.toString(16).padStart(4, '0')}`;
}

function describeItem(item: SlipmuxItem): string | undefined {
  switch (item.kind) {
    case 'coap':
      return `slipmux: ${describeCoapBytes(item.message)}`;
    case 'diagnostic': {
      const text = item.text.replace(/[\r\n]+/g, ' ').trim();
      return `slipmux: diagnostic "${text.length > 40 ? `${text.slice(0, 40)}…` : text}"`;
    }
    case 'ip':
      return `slipmux: IPv${item.version} packet, ${item.packet.length} bytes`;
    case 'bad-fcs':
      return `slipmux: CoAP frame with a bad FCS (a receiver discards it), ${item.frame.length} bytes`;
    case 'unknown-type':
      return `slipmux: frame of unknown type 0x${item.type.toString(16).padStart(2, '0')}, ${item.frame.length} bytes`;
    case 'oversize':
      return `slipmux: oversize frame (over ${item.length} bytes)`;
    case 'aborted':
      return 'slipmux: aborted frame (ESC END)';
    default:
      return undefined; // console text, and the discarded rest of an oversize frame
  }
}

/** One direction of one serial line: slipmux frames. */
export class SlipmuxFrameNotes {
  /** unconsumed bytes (an unfinished frame, a split character) carried into the next chunk */
  private tail = new Uint8Array(0);
  private discarding = false;

  notes(chunk: Uint8Array): string[] {
    const carried = this.tail.length;
    const view = carried === 0 ? chunk : concat(this.tail, chunk);
    const out: string[] = [];
    let off = 0;
    for (;;) {
      const rest = view.subarray(off);
      const r = nextSlipmuxItem(rest, { discarding: this.discarding });
      if (r.kind === 'incomplete') {
        off += idleDelimiters(rest);
        break;
      }
      const began = off < carried ? ' (began in an earlier packet)' : '';
      if (r.kind === 'malformed') {
        out.push(`slipmux: frame with a bad SLIP escape${began}`);
        off += Math.max(1, r.skip ?? 1);
        this.discarding = false;
        continue;
      }
      const d = describeItem(r.value);
      if (d !== undefined) out.push(`${d}${began}`);
      off += r.consumed;
      this.discarding = r.value.kind === 'oversize' || r.value.kind === 'discarded';
    }
    const left = view.subarray(off);
    // a frame that opens in this chunk and has not ended
    const start = left.indexOf(SLIP_END);
    if (start >= 0 && start + 1 < left.length && off + start >= carried) out.push('slipmux: a frame starts here (continues in the next packet)');
    // bounded: the splitter holds at most about two frames' worth
    this.tail = left.length > 2 * DEFAULT_MAX_SLIPMUX_FRAME + 16 ? new Uint8Array(0) : left.slice();
    return out;
  }
}

/** Both recognisers for one direction of a serial connection; one comment per chunk, or none. */
export class SerialFrameNotes {
  private readonly slipmux = new SlipmuxFrameNotes();
  private readonly smp = new SmpFrameNotes();

  /** The comment for this chunk, undefined when it holds no frame. Never throws. */
  comment(chunk: Uint8Array): string | undefined {
    let notes: string[];
    try {
      notes = [...this.slipmux.notes(chunk), ...this.smp.notes(chunk)];
    } catch {
      return undefined; // a recogniser bug must not cost the packet
    }
    if (notes.length === 0) return undefined;
    // one line: tshark prints a field per line, and a comment column stays readable
    if (notes.length <= MAX_NOTES) return notes.join('; ');
    return `${notes.slice(0, MAX_NOTES).join('; ')}; and ${notes.length - MAX_NOTES} more frames`;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
