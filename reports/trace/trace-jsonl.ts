// The byte trace as JSON Lines, for scripts (jq, Python) and for `hilrig trace convert`, which
// turns it into pcapng. One object per tap record, in the order the engine published them:
//
//   {"ts":"2024-05-01T12:00:01.234567Z","tsNs":"1714564801234567000","kind":"open","conn":1,
//    "label":"nucleo coap","transport":"udp","url":"udp://10.0.0.7:5683","peer":"udp://10.0.0.7:5683",
//    "local":"udp://10.0.0.2:40000","datagram":true}
//   {"ts":"...","tsNs":"...","kind":"data","conn":1,"label":"nucleo coap","dir":"out","len":4,"hex":"40000001"}
//   {"ts":"...","tsNs":"...","kind":"close","conn":1,"label":"nucleo coap","reason":"shutdown"}
//
// tsNs is a decimal string (a JSON number would lose digits). Written like the pcapng trace:
// whole lines, on disk by the end of the event loop's turn.
import type { ConnInfo, TraceDir, TraceRecord, TraceTap } from '../../rig/engine/trace-tap.js';
import { BatchedFile } from './batched-file.js';
import { isoMicros, toHex } from './console-jsonl.js';

interface Common {
  ts: string;
  tsNs: string;
  conn: number;
  label: string;
}

export type TraceJsonOpen = Common & { kind: 'open'; transport: string; url: string; peer: string; local: string; datagram: boolean };
export type TraceJsonData = Common & { kind: 'data'; dir: TraceDir; len: number; hex: string };
export type TraceJsonClose = Common & { kind: 'close'; reason: string };
export type TraceJsonRecord = TraceJsonOpen | TraceJsonData | TraceJsonClose;

/** The JSON object of one record; `label` is the connection's label from its open record. */
export function traceJsonRecord(rec: TraceRecord, label: string): TraceJsonRecord {
  const ts = isoMicros(rec.tsNs);
  const tsNs = rec.tsNs.toString();
  if (rec.kind === 'open') {
    const c = rec.conn;
    return { ts, tsNs, kind: 'open', conn: c.connId, label: c.label, transport: c.transport, url: c.url, peer: c.peer, local: c.local, datagram: c.datagram };
  }
  if (rec.kind === 'data') return { ts, tsNs, kind: 'data', conn: rec.connId, label, dir: rec.dir, len: rec.bytes.length, hex: toHex(rec.bytes) };
  return { ts, tsNs, kind: 'close', conn: rec.connId, label, reason: rec.reason };
}

/** The tap record a JSONL line holds, or why the line is not one. Pure. */
export function parseTraceJsonLine(line: string): { ok: true; rec: TraceRecord } | { ok: false; reason: string } {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (e) {
    return { ok: false, reason: `not JSON (${e instanceof Error ? e.message : String(e)})` };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return { ok: false, reason: 'not a JSON object' };
  const o = v as Record<string, unknown>;
  const str = (k: string): string | undefined => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
  const tsText = str('tsNs');
  if (tsText === undefined || !/^\d+$/.test(tsText)) return { ok: false, reason: 'tsNs must be a string of decimal digits' };
  const tsNs = BigInt(tsText);
  const conn = o.conn;
  if (typeof conn !== 'number' || !Number.isInteger(conn) || conn < 0) return { ok: false, reason: 'conn must be a connection number' };
  switch (o.kind) {
    case 'open': {
      const transport = str('transport');
      const url = str('url');
      if (transport === undefined || url === undefined || typeof o.datagram !== 'boolean') return { ok: false, reason: 'an open record needs transport, url and datagram' };
      const info: ConnInfo = { connId: conn, transport, url, peer: str('peer') ?? '', local: str('local') ?? '', datagram: o.datagram, label: str('label') ?? `${transport}#${conn}` };
      return { ok: true, rec: { kind: 'open', tsNs, conn: info } };
    }
    case 'data': {
      const hex = str('hex');
      if (o.dir !== 'in' && o.dir !== 'out') return { ok: false, reason: 'dir must be "in" or "out"' };
      if (hex === undefined || hex.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(hex)) return { ok: false, reason: 'hex must be an even number of hex digits' };
      if (o.len !== undefined && o.len !== hex.length / 2) return { ok: false, reason: `len ${String(o.len)} does not match the ${hex.length / 2} bytes of hex` };
      const buf = Buffer.from(hex, 'hex');
      return { ok: true, rec: { kind: 'data', tsNs, connId: conn, dir: o.dir, bytes: new Uint8Array(buf.buffer, buf.byteOffset, buf.length) } };
    }
    case 'close':
      return { ok: true, rec: { kind: 'close', tsNs, connId: conn, reason: str('reason') ?? '' } };
    default:
      return { ok: false, reason: `kind must be open, data or close, got ${JSON.stringify(o.kind)}` };
  }
}

export class TraceJsonlWriter {
  private readonly labels = new Map<number, string>();
  private readonly unsubscribes: (() => void)[] = [];

  private constructor(private readonly file: BatchedFile) {}

  /** Create (or truncate) `path`; throws the fs error if it cannot. */
  static open(path: string): TraceJsonlWriter {
    return new TraceJsonlWriter(BatchedFile.open(path, 'w'));
  }

  get path(): string {
    return this.file.path;
  }

  get error(): Error | undefined {
    return this.file.error;
  }

  subscribe(tap: TraceTap): () => void {
    const off = tap.subscribe((rec) => this.write(rec));
    this.unsubscribes.push(off);
    return off;
  }

  write(rec: TraceRecord): void {
    if (!this.file.isOpen) return;
    const id = rec.kind === 'open' ? rec.conn.connId : rec.connId;
    if (rec.kind === 'open') this.labels.set(id, rec.conn.label);
    this.file.append(`${JSON.stringify(traceJsonRecord(rec, this.labels.get(id) ?? `#${id}`))}\n`);
    if (rec.kind === 'close') this.labels.delete(id);
  }

  flush(): void {
    this.file.flush();
  }

  close(): void {
    for (const off of this.unsubscribes.splice(0)) off();
    this.file.close();
  }
}
