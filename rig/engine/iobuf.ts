// Mongoose's `struct mg_iobuf`: a byte buffer that grows at the end and is consumed from the
// front by the handler that parsed it. Consuming only moves an offset; the live bytes are moved
// to the front only when an append would not fit, so parsing many small frames stays O(n).
//
// A datagram may be adopted instead of appended: the buffer then holds the driver's memory as
// it is (no copy), never writes into it, and goes back to its own memory when emptied. That is
// what lets a protocol keep a datagram's bytes (stableBytes) without a copy per message.

export class IoBuf {
  private buf: Uint8Array;
  /** our own allocation: `buf` unless a datagram is adopted */
  private own: Uint8Array;
  /** `buf` is adopted memory: read it, never write it */
  private borrowed = false;
  private start = 0;
  private end = 0;
  /** called after consume()/clear(), so the owner can resume a paused producer */
  onDrain?: () => void;

  constructor(
    /** bytes this buffer may hold before its producer is paused (stream) or refused (datagram) */
    public limit = 1 << 20,
    initialCapacity = 2048,
  ) {
    this.buf = this.own = new Uint8Array(initialCapacity);
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

  /**
   * The live bytes in memory that nothing will write again, for a caller that keeps them (a
   * parsed message viewing them): an adopted datagram as it is, otherwise a copy (toBytes).
   */
  stableBytes(): Uint8Array {
    if (!this.borrowed) return this.buf.slice(this.start, this.end);
    const b = this.buf;
    // the adopted array itself when it is exactly the live bytes; a plain Uint8Array in any case
    // (as toBytes() returns), even when the driver handed over a Buffer
    if (this.start === 0 && this.end === b.length && b.constructor === Uint8Array) return b;
    return new Uint8Array(b.buffer, b.byteOffset + this.start, this.end - this.start);
  }

  append(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (this.borrowed || this.end + bytes.length > this.buf.length) this.makeRoom(bytes.length);
    this.buf.set(bytes, this.end);
    this.end += bytes.length;
  }

  /**
   * Hold `bytes` without copying them when the buffer is empty (else append them). Only for
   * memory handed over for good (a driver's fresh datagram that it never writes again): the
   * buffer does not write into it, but it may hand it out through stableBytes().
   */
  adopt(bytes: Uint8Array): void {
    if (this.end !== this.start || bytes.length === 0) return this.append(bytes);
    this.buf = bytes;
    this.borrowed = true;
    this.start = 0;
    this.end = bytes.length;
  }

  /** Drop `n` bytes from the front (what a handler parsed). */
  consume(n: number): void {
    if (n < 0 || n > this.length) throw new RangeError(`IoBuf.consume(${n}) with ${this.length} bytes held`);
    this.start += n;
    if (this.start === this.end) this.reset();
    this.onDrain?.();
  }

  clear(): void {
    this.reset();
    this.onDrain?.();
  }

  /** Release the memory (Close). */
  free(): void {
    this.buf = this.own = new Uint8Array(0);
    this.borrowed = false;
    this.start = this.end = 0;
  }

  /** Empty: back to our own memory (an adopted datagram is let go). */
  private reset(): void {
    this.start = this.end = 0;
    if (this.borrowed) {
      this.buf = this.own;
      this.borrowed = false;
    }
  }

  private makeRoom(extra: number): void {
    const live = this.length;
    const needed = live + extra;
    if (this.borrowed && needed <= this.own.length) {
      // appending to an adopted datagram: its bytes move into our own memory, never the reverse
      this.own.set(this.buf.subarray(this.start, this.end));
      this.buf = this.own;
      this.borrowed = false;
    } else if (!this.borrowed && needed <= this.buf.length) {
      this.buf.copyWithin(0, this.start, this.end);
    } else {
      let cap = Math.max(this.own.length, 256);
      while (cap < needed) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.buf.subarray(this.start, this.end));
      this.buf = this.own = next;
      this.borrowed = false;
    }
    this.start = 0;
    this.end = live;
  }
}
