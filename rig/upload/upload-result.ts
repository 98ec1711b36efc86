// What every upload strategy reports at the end, for the CLI's summary and exit code.

/** Did the board end up with the file, as far as the protocol lets us check. */
export interface UploadVerdict {
  /** false: the board holds something else (the board broke a rule: exit 1) */
  ok: boolean;
  /** false when nothing could be checked (a raw SMP upload without "match", a CoAP resource without GET) */
  checked: boolean;
  /** what was checked and what was seen */
  detail: string;
}

export interface UploadSummary {
  protocol: string;
  /** file bytes the board has */
  bytes: number;
  /** seconds of the transfer proper (connecting and verifying left out) */
  seconds: number;
  verdict: UploadVerdict;
  /** one line each: chunking, resends, reconnects */
  notes: string[];
}

/** file bytes per second of transfer: what the user waits for */
export const goodput = (s: Pick<UploadSummary, 'bytes' | 'seconds'>): number => (s.seconds > 0 ? s.bytes / s.seconds : 0);
