/**
 * Since when the Redis server a node talks to holds every replay claim the node made: the broker's
 * `claimsSince`. Pure bookkeeping over what the links report; the broker does the I/O.
 *
 * A Redis that restarted empty holds claims only from its start, which its uptime tells. A reconnect
 * that reaches another server (its run id differs: a replica promoted by a failover, a new host behind
 * the same address) holds none made before the reconnect, however long that server has been up; and
 * that stays so on every later reconnect to it, since the claims it missed never arrive. A link whose
 * server was never learnt (INFO failed, or the link dropped before the answer) may have been any
 * server, so the next one is not taken for the same as the one before it.
 */
export class ClaimHorizon {
  #since: number;
  /** No claim made before this is vouched for, whatever the server's uptime: raised at each change of server. */
  #trustedFrom = -Infinity;
  /** The run id of the server the claims were last made on: null before the first answer, '' when not known. */
  #runId: string | null = null;
  /** Whether the current link's server was learnt. */
  #learnt = false;
  #readyAt: number;

  /** `now`: when the first link became ready. */
  constructor(now: number) {
    this.#since = now;
    this.#readyAt = now;
  }

  /** A link became ready at `now`: until its server answers, nothing before now is vouched for. */
  linkReady(now: number): void {
    if (!this.#learnt) this.#runId = '';
    this.#learnt = false;
    this.#readyAt = now;
    this.#since = now;
  }

  /**
   * The current link's server answered at `asked`: its run id ('' when the answer had none or there was
   * no answer) and uptime in seconds (null when unknown).
   */
  learnt(runId: string, uptimeSeconds: number | null, asked: number): void {
    const sameServer = runId !== '' && (this.#runId === null || this.#runId === runId);
    if (!sameServer) this.#trustedFrom = Math.max(this.#trustedFrom, this.#readyAt);
    this.#runId = runId;
    this.#learnt = true;
    // Redis counts whole seconds between two truncated clock readings, so its start lies at most a
    // second before `asked - uptime`: a second later than that is never too early.
    const start = uptimeSeconds === null || !sameServer ? asked : asked - Math.max(0, uptimeSeconds - 1) * 1000;
    this.#since = Math.max(this.#trustedFrom, start);
  }

  /** Claims made before this time (epoch ms) may be missing from the server. */
  get since(): number {
    return this.#since;
  }
}
