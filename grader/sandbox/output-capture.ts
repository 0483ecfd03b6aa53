/**
 * Captures a stream up to a cap, keeping its head and its tail. Hand-written because it
 * is a few lines and execa's `maxBuffer` ends the process when exceeded, whereas we want
 * the process to go on and the report to show both how the output began and how it ended.
 */
export class OutputCapture {
  readonly #headLimit: number;
  readonly #tailLimit: number;
  readonly #head: Buffer[] = [];
  #headBytes = 0;
  #tail: Buffer[] = [];
  #tailBytes = 0;
  #totalBytes = 0;
  readonly #listeners = new Set<() => void>();

  constructor(capBytes: number) {
    this.#headLimit = Math.ceil(capBytes * 0.75);
    this.#tailLimit = capBytes - this.#headLimit;
  }

  push(chunk: Buffer): void {
    this.#totalBytes += chunk.length;
    if (this.#headBytes < this.#headLimit) {
      const take = chunk.subarray(0, this.#headLimit - this.#headBytes);
      this.#head.push(take);
      this.#headBytes += take.length;
      chunk = chunk.subarray(take.length);
    }
    if (chunk.length > 0) {
      this.#tail.push(chunk);
      this.#tailBytes += chunk.length;
      while (this.#tailBytes - (this.#tail[0]?.length ?? 0) >= this.#tailLimit && this.#tail.length > 1) {
        this.#tailBytes -= this.#tail.shift()!.length;
      }
    }
    for (const listener of this.#listeners) listener();
  }

  /** Calls `listener` after every chunk; returns a function that removes it. */
  onData(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get totalBytes(): number {
    return this.#totalBytes;
  }

  /** Bytes written but no longer held (between head and tail). */
  get droppedBytes(): number {
    return this.#totalBytes - this.#headBytes - Math.min(this.#tailBytes, this.#tailLimit);
  }

  /** The head, and the tail when it is contiguous with it; `[...]` marks a gap. */
  text(): string {
    const head = Buffer.concat(this.#head).toString('utf8');
    if (this.#tailBytes === 0) return head;
    let tail = Buffer.concat(this.#tail);
    if (tail.length > this.#tailLimit) tail = tail.subarray(tail.length - this.#tailLimit);
    const dropped = this.droppedBytes;
    return dropped > 0
      ? `${head}\n[... ${dropped} bytes of output dropped ...]\n${tail.toString('utf8')}`
      : head + tail.toString('utf8');
  }

  /** Complete lines seen in the head (and tail when nothing was dropped). */
  lines(): string[] {
    const lines = this.text().split('\n');
    return lines.map((line) => line.replace(/\r$/, ''));
  }

  /** A short excerpt for a report: the last `maxLines` lines, at most `maxChars` characters. */
  excerpt(maxLines = 30, maxChars = 4000): string {
    const lines = this.text().trimEnd().split('\n');
    let out = lines.slice(-maxLines).join('\n');
    if (out.length > maxChars) out = '…' + out.slice(out.length - maxChars);
    return lines.length > maxLines ? `[… ${lines.length - maxLines} earlier lines …]\n${out}` : out;
  }
}
