// The trace tap: every byte that crosses a connection, with a timestamp, for the trace writers
// (pcapng, JSONL). Publishing checks `active` first, so with no subscriber a Recv or Send costs
// one boolean test and builds no record.

export type TraceDir = 'in' | 'out';

export interface ConnInfo {
  connId: number;
  /** e.g. 'udp', 'serial', 'tcp' */
  transport: string;
  /** the URL the connection was made from (a listener child: the listener's) */
  url: string;
  /** 'udp://127.0.0.1:40000' for datagram peers; the device path for serial */
  peer: string;
  /** local address when known ('udp://127.0.0.1:5683') */
  local: string;
  /** a datagram connection keeps message boundaries */
  datagram: boolean;
  /** a human label: board name and role, set by whoever owns the connection */
  label: string;
}

export type TraceRecord =
  | { kind: 'open'; tsNs: bigint; conn: ConnInfo }
  | { kind: 'data'; tsNs: bigint; connId: number; dir: TraceDir; bytes: Uint8Array }
  | { kind: 'close'; tsNs: bigint; connId: number; reason: string };

export type TraceSubscriber = (rec: TraceRecord) => void;

export class TraceTap {
  private subs: TraceSubscriber[] = [];

  get active(): boolean {
    return this.subs.length > 0;
  }

  subscribe(fn: TraceSubscriber): () => void {
    this.subs.push(fn);
    return () => {
      this.subs = this.subs.filter((s) => s !== fn);
    };
  }

  publish(rec: TraceRecord): void {
    for (const s of this.subs) {
      try {
        s(rec);
      } catch {
        // a broken trace writer must not break the link it observes
      }
    }
  }
}
