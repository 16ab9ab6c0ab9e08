import { publicationPush } from './centrifuge-frames.ts';
import { prepareTextFrame, type PreparedFrame } from './prepared-frame.ts';

/** One publication of a batch: its push line and stream position. */
interface Entry {
  readonly line: string;
  readonly offset: number;
  readonly epoch: string;
}

/** What a subscriber at a stream position gets from a batch: one frame and the position after it. */
export interface BatchDelivery {
  readonly frame: PreparedFrame;
  readonly offset: number;
  readonly epoch: string;
}

/**
 * Publications of one channel sent as ONE WebSocket frame of push lines (the Centrifuge JSON
 * protocol allows several replies per frame, one per line; the official clients split them): the
 * hub's unit of fan-out, one publication or those that followed it within a turn of the event loop.
 * Every subscriber gets the same bytes, so a burst costs one encode, one frame and one socket write
 * per subscriber instead of one per publication.
 */
export class PublicationBatch {
  readonly channel: string;
  readonly #entries: Entry[] = [];
  #bytes = 0;
  /** False once publications of two epochs are in the batch (a stream that was reset meanwhile). */
  #oneEpoch = true;
  #whole: BatchDelivery | null = null;

  constructor(channel: string) {
    this.channel = channel;
  }

  /** Adds a publication (encoded here, once for every subscriber). */
  add(data: unknown, offset: number, epoch: string): void {
    const line = publicationPush(this.channel, data, offset);
    if (this.#entries.length > 0 && this.#entries[0].epoch !== epoch) this.#oneEpoch = false;
    this.#entries.push({ line, offset, epoch });
    this.#bytes += line.length + 1;
    this.#whole = null;
  }

  /** Characters of push lines held (the hub sends a batch early once it grows large). */
  get size(): number {
    return this.#bytes;
  }

  get count(): number {
    return this.#entries.length;
  }

  /**
   * The frame for a subscriber that has seen the stream up to `offset` in `epoch`: publications of
   * that epoch at or below it were delivered already and are left out. Usually every publication is
   * new and all subscribers share one frame; null when nothing is new.
   */
  deliveryAfter(epoch: string, offset: number): BatchDelivery | null {
    const first = this.#entries[0];
    if (this.#oneEpoch && (first.epoch !== epoch || first.offset > offset)) return this.#wholeBatch();
    // Rare (a subscription that just read its position): the same rule one publication at a time.
    const fresh: Entry[] = [];
    let at = { epoch, offset };
    for (const entry of this.#entries) {
      if (entry.epoch === at.epoch && entry.offset <= at.offset) continue;
      fresh.push(entry);
      at = entry;
    }
    return fresh.length === 0 ? null : deliveryOf(fresh);
  }

  #wholeBatch(): BatchDelivery {
    return (this.#whole ??= deliveryOf(this.#entries));
  }
}

/** One frame of `entries`' push lines, and the stream position after the last of them. */
function deliveryOf(entries: readonly Entry[]): BatchDelivery {
  const last = entries[entries.length - 1];
  return { frame: prepareTextFrame(entries.map((e) => e.line).join('\n')), offset: last.offset, epoch: last.epoch };
}
