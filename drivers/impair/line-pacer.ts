// A line's transmitter: bytes leave one after another at baud / bitsPerByte bytes per second.
// Times are computed from the start of the current busy period (not by adding per-slice
// durations), so 11520 bytes at 115200 baud 8N1 finish at exactly +1000 ms, with no drift.

export class LinePacer {
  /** when the current busy period began, and how many bytes it has carried */
  private origin = 0;
  private carried = 0;
  private freeAt = -Infinity;

  constructor(
    private readonly baud: number,
    private readonly bitsPerByte: number,
  ) {}

  /** Bytes per millisecond of clock time. */
  get bytesPerMs(): number {
    return this.baud / this.bitsPerByte / 1000;
  }

  /** Queue `n` bytes at `now`; returns the clock time at which their last bit has left the line. */
  finish(now: number, n: number): number {
    if (now >= this.freeAt) {
      this.origin = now;
      this.carried = 0;
    }
    this.carried += n;
    this.freeAt = this.origin + (this.carried * this.bitsPerByte * 1000) / this.baud;
    return this.freeAt;
  }
}
