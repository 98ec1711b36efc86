// The pcapng trace: every byte the engine's trace tap sees, as a file Wireshark and tshark open.
// One interface per connection (an Interface Description Block written before its first packet,
// so connections that never carry a byte, such as a UDP listener, add no interface), one
// Enhanced Packet Block per chunk with the direction in epb_flags and nanosecond timestamps.
// What each connection's packets look like (UDP in synthetic IP headers, serial bytes raw) is
// pcapng-interface.ts.
//
// The Section Header Block is on disk when open() returns, and every later block is appended
// whole by the end of the event loop's turn (batched-file.ts), so a run killed at any moment
// leaves a file tshark reads up to its last whole block.
import * as os from 'node:os';
import type { ConnInfo, TraceRecord, TraceTap } from '../../rig/engine/trace-tap.js';
import { BatchedFile } from './batched-file.js';
import { enhancedPacketBlock, interfaceDescriptionBlock, sectionHeaderBlock } from './pcapng-blocks.js';
import { type TraceInterface, traceInterface } from './pcapng-interface.js';

export interface PcapngWriterOptions {
  /** shb_userappl (default 'hilrig') */
  application?: string;
  /** a comment on the whole capture: what was run, against which board */
  comment?: string;
}

interface OpenInterface {
  id: number;
  iface: TraceInterface;
}

export class PcapngTraceWriter {
  /** connections seen opening, by id; their interface is made when their first byte comes */
  private readonly conns = new Map<number, ConnInfo>();
  private readonly interfaces = new Map<number, OpenInterface>();
  private readonly unsubscribes: (() => void)[] = [];
  /** interfaces (IDBs) written so far */
  interfaceCount = 0;
  /** packets (EPBs) written so far */
  packets = 0;

  private constructor(private readonly file: BatchedFile) {}

  /** Create (or truncate) `path` and write the section header; throws the fs error if it cannot. */
  static open(path: string, opts: PcapngWriterOptions = {}): PcapngTraceWriter {
    const file = BatchedFile.open(path, 'w');
    const w = new PcapngTraceWriter(file);
    file.append(sectionHeaderBlock({ application: opts.application ?? 'hilrig', os: `${os.type()} ${os.release()}`, hardware: os.arch(), comment: opts.comment }));
    file.flush();
    return w;
  }

  get path(): string {
    return this.file.path;
  }

  /** the write error that stopped the file, if any */
  get error(): Error | undefined {
    return this.file.error;
  }

  /** Record everything `tap` publishes from now on; returns the unsubscribe (close() also unsubscribes). */
  subscribe(tap: TraceTap): () => void {
    const off = tap.subscribe((rec) => this.write(rec));
    this.unsubscribes.push(off);
    return off;
  }

  /** One tap record. Never throws: a trace must not break the link it observes. */
  write(rec: TraceRecord): void {
    if (!this.file.isOpen) return;
    try {
      if (rec.kind === 'open') this.conns.set(rec.conn.connId, rec.conn);
      else if (rec.kind === 'data') this.packet(rec.connId, rec.tsNs, rec.dir, rec.bytes);
      else this.conns.delete(rec.connId);
    } catch (e) {
      process.emitWarning(`hilrig: pcapng trace ${this.file.path}: record of connection #${rec.kind === 'open' ? rec.conn.connId : rec.connId} not written: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Put what is pending on disk now. */
  flush(): void {
    this.file.flush();
  }

  close(): void {
    for (const off of this.unsubscribes.splice(0)) off();
    this.file.close();
  }

  private packet(connId: number, tsNs: bigint, dir: 'in' | 'out', bytes: Uint8Array): void {
    const { id, iface } = this.interfaces.get(connId) ?? this.addInterface(connId);
    const p = iface.packet(dir, bytes);
    this.file.append(enhancedPacketBlock({ interfaceId: id, timestamp: tsNs, data: p.data, originalLength: p.originalLength, direction: dir, comment: p.comment }));
    this.packets++;
  }

  private addInterface(connId: number): OpenInterface {
    const iface = traceInterface(this.conns.get(connId), connId);
    const entry = { id: this.interfaceCount++, iface };
    this.interfaces.set(connId, entry);
    this.file.append(interfaceDescriptionBlock({ linkType: iface.linkType, name: iface.name, description: iface.description }));
    return entry;
  }
}
