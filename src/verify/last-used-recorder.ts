/**
 * Collects last-used times in memory and writes them in batches, so verification never waits on a
 * write. A batch the store refuses (it is down) is kept and merged into the next one, so times are
 * late rather than lost; `onError` hears each failure, `onWritten` each success.
 */
export class LastUsedRecorder {
  readonly #pending = new Map<string, number>();
  readonly #write: (entries: ReadonlyMap<string, number>) => Promise<void>;
  readonly #onError: (error: unknown) => void;
  readonly #onWritten: () => void;
  #timer: NodeJS.Timeout | null = null;
  #flushing: Promise<void> = Promise.resolve();

  constructor(options: {
    write: (entries: ReadonlyMap<string, number>) => Promise<void>;
    flushEveryMs: number;
    onError: (error: unknown) => void;
    onWritten?: () => void;
  }) {
    this.#write = options.write;
    this.#onError = options.onError;
    this.#onWritten = options.onWritten ?? (() => undefined);
    this.#timer = setInterval(() => void this.flush(), options.flushEveryMs);
    this.#timer.unref();
  }

  record(keyId: string, at: number): void {
    const previous = this.#pending.get(keyId);
    if (previous === undefined || previous < at) this.#pending.set(keyId, at);
  }

  /** Writes what has been collected; safe to call at any time. */
  flush(): Promise<void> {
    if (this.#pending.size === 0) return this.#flushing;
    const batch = new Map(this.#pending);
    this.#pending.clear();
    this.#flushing = this.#flushing
      .then(() => this.#write(batch))
      .then(this.#onWritten, (error: unknown) => {
        for (const [keyId, at] of batch) this.record(keyId, at);
        this.#onError(error);
      });
    return this.#flushing;
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.flush();
  }
}
