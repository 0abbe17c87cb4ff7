/**
 * A small reorder buffer: packets that arrive out of order within `depth` packets are
 * released in sequence order; a packet older than the last released one is late and
 * dropped, so the recognizer never hears audio twice or backwards.
 */
import { type RtpPacket, seqDiff } from './rtp-packet.js';

export class ReorderBuffer {
  private held: RtpPacket[] = [];
  private last: number | undefined;
  dropped = 0;

  constructor(
    private readonly depth: number,
    private readonly release: (p: RtpPacket) => void,
  ) {}

  push(p: RtpPacket): void {
    if (this.last !== undefined && seqDiff(p.sequence, this.last) <= 0) {
      this.dropped++;
      return;
    }
    if (this.held.some((h) => h.sequence === p.sequence)) return;
    let i = this.held.length;
    while (i > 0 && seqDiff(p.sequence, (this.held[i - 1] as RtpPacket).sequence) < 0) i--;
    this.held.splice(i, 0, p);
    while (this.held.length > this.depth) this.emit();
  }

  /** Releases everything held (the stream paused or ended). */
  flush(): void {
    while (this.held.length) this.emit();
  }

  get size(): number {
    return this.held.length;
  }

  private emit(): void {
    const p = this.held.shift() as RtpPacket;
    this.last = p.sequence;
    this.release(p);
  }
}
