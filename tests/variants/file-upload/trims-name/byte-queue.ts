// A first-in first-out queue of received bytes.
//
// TCP hands us the stream in chunks of arbitrary size. Gluing every new chunk onto one
// big Buffer (`Buffer.concat([buf, chunk])`) copies everything received so far on each
// chunk, which is quadratic when a peer sends byte by byte. This queue keeps the chunks
// as they came and copies only when a caller takes bytes that span several chunks.

export class ByteQueue {
  #chunks: Buffer[] = [];
  #first = 0; // index of the first chunk still in use
  #offset = 0; // bytes of chunks[#first] already taken
  #length = 0;

  /** Number of bytes waiting in the queue. */
  get length(): number {
    return this.#length;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#length += chunk.length;
  }

  /** Position (counted from the front of the queue) of the first `byte` at or after `from`, or -1. */
  indexOf(byte: number, from = 0): number {
    let base = 0; // queue position of the current chunk's first unread byte
    for (let i = this.#first; i < this.#chunks.length; i++) {
      const chunk = this.#chunks[i]!;
      const start = i === this.#first ? this.#offset : 0;
      const size = chunk.length - start;
      if (from < base + size) {
        const at = chunk.indexOf(byte, start + Math.max(0, from - base));
        if (at >= 0) return base + (at - start);
      }
      base += size;
    }
    return -1;
  }

  /** Removes and returns the first `n` bytes; `n` must not exceed `length`. */
  take(n: number): Buffer {
    if (n > this.#length) throw new RangeError(`take(${n}) with only ${this.#length} bytes queued`);
    if (n === 0) return Buffer.alloc(0);
    const head = this.#chunks[this.#first]!;
    if (head.length - this.#offset >= n) {
      // Fast path: the bytes lie in one chunk, hand out a view without copying.
      const out = head.subarray(this.#offset, this.#offset + n);
      this.#advance(n);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.#chunks[this.#first]!;
      const count = Math.min(n - filled, chunk.length - this.#offset);
      chunk.copy(out, filled, this.#offset, this.#offset + count);
      filled += count;
      this.#advance(count);
    }
    return out;
  }

  /** Removes everything. */
  clear(): void {
    this.#chunks = [];
    this.#first = 0;
    this.#offset = 0;
    this.#length = 0;
  }

  // Drops `n` bytes from the front; never crosses the end of the first chunk.
  #advance(n: number): void {
    this.#offset += n;
    this.#length -= n;
    if (this.#offset === this.#chunks[this.#first]!.length) {
      this.#first++;
      this.#offset = 0;
      // Forget used chunks now and then instead of shift()ing on every chunk.
      if (this.#first === this.#chunks.length) {
        this.#chunks = [];
        this.#first = 0;
      } else if (this.#first >= 1024 && this.#first * 2 >= this.#chunks.length) {
        this.#chunks = this.#chunks.slice(this.#first);
        this.#first = 0;
      }
    }
  }
}
