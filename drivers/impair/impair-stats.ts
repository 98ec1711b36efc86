// Counters of one impaired driver, per direction and in total, so a test or a benchmark can
// report what the link actually did (20% loss configured is not 20% loss observed).

/** What happened to the traffic of one direction. Units are datagrams, or slices of a stream. */
export interface ImpairCounters {
  /** handed on to the other side (duplicates included) */
  sent: number;
  /** bytes handed on */
  bytes: number;
  /** lost on the link */
  dropped: number;
  /** extra copies handed on */
  duplicated: number;
  /** handed on after a datagram that came in later */
  reordered: number;
  /** handed on later than they came in (delay, jitter, line-rate pacing) */
  delayed: number;
}

export function zeroCounters(): ImpairCounters {
  return { sent: 0, bytes: 0, dropped: 0, duplicated: 0, reordered: 0, delayed: 0 };
}

/** `out`: what this side sent toward its peers; `in`: what reached this side. Totals are the sum. */
export class ImpairStats implements ImpairCounters {
  readonly out: ImpairCounters = zeroCounters();
  readonly in: ImpairCounters = zeroCounters();

  get sent(): number {
    return this.out.sent + this.in.sent;
  }
  get bytes(): number {
    return this.out.bytes + this.in.bytes;
  }
  get dropped(): number {
    return this.out.dropped + this.in.dropped;
  }
  get duplicated(): number {
    return this.out.duplicated + this.in.duplicated;
  }
  get reordered(): number {
    return this.out.reordered + this.in.reordered;
  }
  get delayed(): number {
    return this.out.delayed + this.in.delayed;
  }

  toJSON(): { out: ImpairCounters; in: ImpairCounters } {
    return { out: { ...this.out }, in: { ...this.in } };
  }
}

/** `sent 10, bytes 480, dropped 2, ...` for logs and the `relay` command. */
export function formatCounters(c: ImpairCounters): string {
  return `sent ${c.sent}, bytes ${c.bytes}, dropped ${c.dropped}, duplicated ${c.duplicated}, reordered ${c.reordered}, delayed ${c.delayed}`;
}
