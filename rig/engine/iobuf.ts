// Mongoose's `struct mg_iobuf`: a byte buffer that grows at the end and is consumed from the
// front by the handler that parsed it. Consuming only moves an offset; the live bytes are moved
// to the front only when an append would not fit, so parsing many small frames stays O(n).

export class IoBuf {
  private buf: Uint8Array;
  private start = 0;
  private end = 0;
  /** called after consume()/clear(), so the owner can resume a paused producer */
  onDrain?: () => void;

  constructor(
    /** bytes this buffer may hold before its producer is paused (stream) or refused (datagram) */
    public limit = 1 << 20,
    initialCapacity = 2048,
  ) {
    this.buf = new Uint8Array(initialCapacity);
  }

  get length(): number {
    return this.end - this.start;
  }

  /** The live bytes, without copying: valid until the next append/consume. */
  view(): Uint8Array {
    return this.buf.subarray(this.start, this.end);
  }

  /** A copy of the live bytes. */
  toBytes(): Uint8Array {
    return this.buf.slice(this.start, this.end);
  }

  append(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (this.end + bytes.length > this.buf.length) this.makeRoom(bytes.length);
    this.buf.set(bytes, this.end);
    this.end += bytes.length;
  }

  /** Drop `n` bytes from the front (what a handler parsed). */
  consume(n: number): void {
    if (n < 0 || n > this.length) throw new RangeError(`IoBuf.consume(${n}) with ${this.length} bytes held`);
    this.start += n;
    if (this.start === this.end) this.start = this.end = 0;
    this.onDrain?.();
  }

  clear(): void {
    this.start = this.end = 0;
    this.onDrain?.();
  }

  /** Release the memory (Close). */
  free(): void {
    this.buf = new Uint8Array(0);
    this.start = this.end = 0;
  }

  private makeRoom(extra: number): void {
    const live = this.length;
    const needed = live + extra;
    if (needed <= this.buf.length) {
      this.buf.copyWithin(0, this.start, this.end);
    } else {
      let cap = Math.max(this.buf.length, 256);
      while (cap < needed) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.buf.subarray(this.start, this.end));
      this.buf = next;
    }
    this.start = 0;
    this.end = live;
  }
}
