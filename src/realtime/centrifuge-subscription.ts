import type { StreamPosition } from '../bus/broker.ts';
import type { ApiKey } from '../core/api-key.ts';
import type { ChannelListener } from './live-session.ts';
import type { PreparedFrame } from './prepared-frame.ts';
import type { PublicationBatch } from './publication-batch.ts';
import type { PresenceMember } from './connection-slots.ts';
import type { RealtimeContext } from './realtime-context.ts';

/** Where a subscription's publications go: its session's bounded send. */
export interface FrameSink {
  sendFrame(frame: PreparedFrame): boolean;
}

/** The session a subscription belongs to, as the subscription needs it (one reference per subscription keeps it small). */
export interface Subscriber extends FrameSink {
  readonly id: string;
  readonly key: Pick<ApiKey, 'userId' | 'organizationId'>;
  readonly context: Pick<RealtimeContext, 'hub' | 'slots' | 'logger'>;
}

/**
 * One channel subscription of a Centrifuge session, and the hub's listener for it. It listens from
 * before the stream is read, so nothing published meanwhile is lost: publications are held until the
 * subscribe reply is on the wire (`flush`), then deduplicated by offset against the position the
 * reply announced. `release` undoes whatever was taken (hub entry, presence) and may run at any time.
 */
export class ChannelSubscription implements ChannelListener {
  readonly channel: string;
  readonly #subscriber: Subscriber;
  #offset = 0;
  #epoch = '';
  #held: PublicationBatch[] | null = [];
  #joined = false;
  #released = false;

  constructor(channel: string, subscriber: Subscriber) {
    this.channel = channel;
    this.#subscriber = subscriber;
  }

  /** Starts receiving the channel's publications (held until `flush`). */
  listen(): void {
    if (!this.#released) this.#subscriber.context.hub.subscribe(this.channel, this);
  }

  /** Enters the channel's presence; a subscription released meanwhile leaves it again. */
  async join(): Promise<void> {
    await this.#subscriber.context.slots.join(this.channel, this.#member());
    this.#joined = true;
    if (this.#released) await this.#leave();
  }

  /** The stream position the subscribe reply announces: later publications continue from it. */
  position(stream: StreamPosition): void {
    this.#offset = stream.offset;
    this.#epoch = stream.epoch;
  }

  /** Sends what arrived while the subscribe was answered, and delivers directly from now on. */
  flush(): void {
    const held = this.#held ?? [];
    this.#held = null;
    for (const batch of held) this.deliver(batch);
  }

  /** Sends the batch's publications this subscription has not had (by offset); the usual case is the shared frame. */
  deliver(batch: PublicationBatch): void {
    if (this.#released) return;
    if (this.#held) return void this.#held.push(batch);
    const delivery = batch.deliveryAfter(this.#epoch, this.#offset);
    if (delivery === null) return;
    this.#offset = delivery.offset;
    this.#epoch = delivery.epoch;
    this.#subscriber.sendFrame(delivery.frame);
  }

  /** Stops listening and leaves presence (idempotent). */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#held = null;
    this.#subscriber.context.hub.unsubscribe(this.channel, this);
    if (this.#joined) void this.#leave();
  }

  // Who is in the channel: the session's client id, its key's owner and organization (fixed for a key).
  #member(): PresenceMember {
    const { id, key } = this.#subscriber;
    return { client: id, user: key.userId, organization: key.organizationId };
  }

  async #leave(): Promise<void> {
    this.#joined = false;
    try {
      await this.#subscriber.context.slots.leave(this.channel, this.#member());
    } catch (error) {
      // The entry lapses with the presence TTL when the broker cannot be told now.
      this.#subscriber.context.logger.warn({ err: error, channel: this.channel }, 'could not leave channel presence');
    }
  }
}
