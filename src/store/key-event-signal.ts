import type { KeyEvent } from '../core/key-event.ts';

/** What a node hears from the store about new key events: the fast path beside its catch-up timer. */
export interface KeyEventSignalHandlers {
  /** A new event (with the row when the signal carries it, else null: read the log from your position). */
  onEvent(event: KeyEvent | null): void;
  /** The signal is live again after a loss (or for the first time): events may have been missed, catch up. */
  onConnected(): void;
  /** The signal was lost; it keeps trying to come back. */
  onLost(error: unknown): void;
}

/** A running signal; `close()` stops it. */
export interface KeyEventSignal {
  close(): Promise<void>;
}
