// Progress of a block-wise transfer, reported after every block that the peer acknowledged (an
// upload) or delivered (a download), so a CLI can draw a bar and a report can chart throughput.

export interface BlockProgress {
  direction: 'upload' | 'download';
  /** bytes acknowledged by the server (upload) or received (download) so far */
  bytesDone: number;
  /** the whole body: known for an upload; for a download only when the server sent Size2 */
  bytesTotal: number | undefined;
  /** blocks acknowledged or received so far */
  blocks: number;
  /** datagrams sent so far, retransmissions included */
  transmissions: number;
  /** clock milliseconds since the transfer started */
  elapsedMs: number;
}

export type ProgressFn = (p: BlockProgress) => void;

/** What a finished transfer cost, for reports and for comparing Block1 with Q-Block1. */
export interface BlockStats {
  /** blocks of the body (not counting retransmissions) */
  blocks: number;
  bytes: number;
  /** requests sent, each a fresh token (Q-Block1 resends count) */
  requests: number;
  /** datagrams sent, CoAP retransmissions included */
  transmissions: number;
  /** how often the client stopped to wait for the server: one per request for Block1/Block2, one per burst for Q-Block1 */
  roundTrips: number;
  /** the block size exponent in use at the end (after any negotiation) */
  szx: number;
  elapsedMs: number;
}

/** Checks a caller's SZX (a TypeError naming the option, like every bad option). */
export function checkSzx(szx: number | undefined, name = 'szx'): void {
  if (szx === undefined) return;
  if (!Number.isInteger(szx) || szx < 0 || szx > 6) throw new TypeError(`block option "${name}" must be an integer 0..6 (16..1024 bytes), got ${String(szx)}`);
}
