/** Where a backend's state changes are written: one line per change, never one per retry or request. */
export interface HealthLog {
  warn(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
}

const silent: HealthLog = { warn: () => undefined, info: () => undefined };

/**
 * Up or down, as this node last saw a backend (the store or the bus). Everything that talks to the
 * backend reports here, so the node logs "lost" once when it goes and "back" once when it returns,
 * and parts that must act on a reconnect (catch-up, slot re-assertion) listen for the change.
 */
export class BackendHealth {
  /** `component` names the role (store, bus); `label` the service (PostgreSQL, Redis) for log lines. */
  readonly component: string;
  readonly label: string;
  readonly #log: HealthLog;
  readonly #listeners = new Set<(up: boolean) => void>();
  readonly #failureListeners = new Set<() => void>();
  #up = true;
  #since = Date.now();

  constructor(component: string, label: string, log: HealthLog = silent) {
    this.component = component;
    this.label = label;
    this.#log = log;
  }

  /** True unless the last thing heard from the backend was a failure. */
  get up(): boolean {
    return this.#up;
  }

  /** Reports a failure that means the backend cannot be reached (not a refusal or a bug). */
  failed(error: unknown): void {
    for (const listener of this.#failureListeners) listener();
    if (!this.#up) return;
    this.#up = false;
    this.#since = Date.now();
    this.#log.warn({ backend: this.component, reason: describe(error) }, `${this.label} is unavailable; working without it until it answers again`);
    this.#emit(false);
  }

  /** Reports that the backend answered. */
  ok(): void {
    if (this.#up) return;
    this.#up = true;
    const downForMs = Date.now() - this.#since;
    this.#since = Date.now();
    this.#log.info({ backend: this.component, downForMs }, `${this.label} is back`);
    this.#emit(true);
  }

  /** Calls `listener` on every change (true: back up); returns a function that stops it. */
  onChange(listener: (up: boolean) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  /** Calls `listener` on every reported failure, also while already down (metrics count errors, the log counts outages). */
  onFailure(listener: () => void): () => void {
    this.#failureListeners.add(listener);
    return () => void this.#failureListeners.delete(listener);
  }

  #emit(up: boolean): void {
    for (const listener of [...this.#listeners]) listener(up);
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
