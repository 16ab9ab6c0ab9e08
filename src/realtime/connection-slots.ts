import type { Broker } from '../bus/broker.ts';
import { backendUnavailable, isBackendUnavailable } from '../core/backend-unavailable.ts';
import type { Clock } from '../core/clock.ts';

/** Presence entries never hit a limit; the slot machinery is reused only for its TTL and cross-node view. */
const UNLIMITED = 1_000_000_000;

/**
 * Slots this node holds in the broker: one per connection under `conn:{keyId}` (max connections
 * per key, counted across nodes) and one per subscription under `presence:{channel}`. A heartbeat
 * re-asserts them all, so the slots of a node that dies lapse after the TTL, and a bus that comes
 * back empty (a Redis restart) holds every live connection and subscription again.
 *
 * While the bus is down, and after it returns until this node has re-asserted its slots, new
 * connections are refused with UNAVAILABLE (a temporary error: clients retry): a limit that cannot
 * be counted across nodes is not enforced on a guess. When the bus came back without this node's
 * slots (a Redis restarted empty, a failover), the other nodes' slots are missing too until each has
 * re-asserted, which one heartbeat gives every live node time to do: new connections are refused
 * for that long as well. (Without that wait, a node a moment late, paused by its collector say, had
 * its sessions uncounted while the others let the same keys connect again, over their limits for good.)
 * Live sessions are not affected.
 */
export class ConnectionSlots {
  readonly #broker: Broker;
  readonly #ttlMs: number;
  readonly #clock: Clock;
  /** A slot only this node holds, re-asserted with the others: gone after an outage means the bus lost what it held. */
  readonly #alive: { readonly key: string; readonly holder: string };
  /** New connections wait until then after the bus came back without this node's slots. */
  #holdUntil = 0;
  /**
   * Slot key → holders this node holds there. Nested rather than one map of `key + holder` strings:
   * the holders are the strings the session and the broker already keep, so a slot costs this node
   * a set entry, not a new string and object per connection and per subscription.
   */
  readonly #held = new Map<string, Set<string>>();
  readonly #stopWatching: () => void;
  #timer: NodeJS.Timeout | null = null;
  /** The bus went away since the last successful re-assertion: what it holds may be incomplete. */
  #stale = false;
  /** Counts outages, so a re-assertion that began before the latest one does not clear `#stale`. */
  #outages = 0;

  /** `nodeId` names this node's own slot; `clock` times the wait after the bus lost its slots. */
  constructor(broker: Broker, ttlMs: number, options: { nodeId: string; clock: Clock }) {
    this.#broker = broker;
    this.#ttlMs = ttlMs;
    this.#clock = options.clock;
    this.#alive = { key: `node:${options.nodeId}`, holder: options.nodeId };
    this.#held.set(this.#alive.key, new Set([this.#alive.holder]));
    this.#stopWatching = broker.health.onChange((up) => {
      if (!up) {
        this.#stale = true;
        this.#outages += 1;
      } else this.reassert().catch(() => undefined); // the heartbeat tries again
    });
  }

  /** Starts the heartbeat (a third of the TTL, so two beats may fail before slots lapse), asserting this node's slot at once. */
  start(onError: (error: unknown) => void): void {
    const beat = () => this.reassert().catch((error: unknown) => isBackendUnavailable(error) || onError(error));
    // An unavailable bus is logged once by its health; anything else is worth a line.
    void beat();
    this.#timer = setInterval(beat, this.#heartbeatMs);
    this.#timer.unref();
  }

  get #heartbeatMs(): number {
    return Math.max(1000, Math.floor(this.#ttlMs / 3));
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#stopWatching();
  }

  /** Re-asserts every slot this node holds (the heartbeat, and at once when the bus comes back). */
  async reassert(): Promise<void> {
    const outages = this.#outages;
    // Asked before the slots are written back: has the bus kept this node's own slot through the outage?
    if (this.#stale && (await this.#broker.countSlots(this.#alive.key)) === 0) this.#holdUntil = this.#clock.now() + this.#heartbeatMs + 1000;
    const snapshot: Array<{ key: string; holder: string }> = [];
    for (const [key, holders] of this.#held) for (const holder of holders) snapshot.push({ key, holder });
    await this.#broker.refreshSlots(snapshot, this.#ttlMs);
    // A slot released while the refresh was on its way may have been created again: release it again.
    const released = snapshot.filter((slot) => !this.#held.get(slot.key)?.has(slot.holder));
    await Promise.all(released.map((slot) => this.#broker.releaseSlot(slot.key, slot.holder)));
    if (outages === this.#outages) this.#stale = false;
  }

  /** Takes a connection slot for a key; false when the key already has `limit` connections on all nodes. */
  async acquireConnection(keyId: string, holder: string, limit: number): Promise<boolean> {
    if (this.#stale || this.#clock.now() < this.#holdUntil) throw backendUnavailable('the bus (Redis)');
    return this.#hold(`conn:${keyId}`, holder, limit);
  }

  async releaseConnection(keyId: string, holder: string): Promise<void> {
    await this.#release(`conn:${keyId}`, holder);
  }

  /** Records a client in a channel's presence. */
  async join(channel: string, member: PresenceMember): Promise<void> {
    await this.#hold(`presence:${channel}`, presenceHolder(member), UNLIMITED);
  }

  async leave(channel: string, member: PresenceMember): Promise<void> {
    await this.#release(`presence:${channel}`, presenceHolder(member));
  }

  /** Clients in a channel on every node, with their user and organization ids. */
  async presence(channel: string): Promise<PresenceMember[]> {
    const holders = await this.#broker.slotHolders(`presence:${channel}`);
    return holders.map(parsePresenceHolder);
  }

  /**
   * A channel's presence in the Centrifuge wire shape (client id → client info). With
   * `organizationId`, only that organization's clients: a client never sees who else, from other
   * organizations, reads a shared channel such as `listings:binance`.
   */
  async presenceResult(channel: string, organizationId?: string): Promise<{ presence: Record<string, { client: string; user: string }> }> {
    const members = visibleTo(await this.presence(channel), organizationId);
    return { presence: Object.fromEntries(members.map((m) => [m.client, { client: m.client, user: m.user }])) };
  }

  /** A channel's presence counts in the Centrifuge wire shape; with `organizationId`, of that organization's clients only. */
  async presenceStats(channel: string, organizationId?: string): Promise<{ num_clients: number; num_users: number }> {
    const members = visibleTo(await this.presence(channel), organizationId);
    return { num_clients: members.length, num_users: new Set(members.map((m) => m.user)).size };
  }

  async #hold(key: string, holder: string, limit: number): Promise<boolean> {
    const granted = await this.#broker.acquireSlot(key, holder, limit, this.#ttlMs);
    if (granted) {
      let holders = this.#held.get(key);
      if (!holders) this.#held.set(key, (holders = new Set()));
      holders.add(holder);
    }
    return granted;
  }

  async #release(key: string, holder: string): Promise<void> {
    const holders = this.#held.get(key);
    holders?.delete(holder);
    if (holders?.size === 0) this.#held.delete(key);
    await this.#broker.releaseSlot(key, holder);
  }
}

/** Who is in a channel: the Centrifuge client id, its key's owner and organization. */
export interface PresenceMember {
  readonly client: string;
  readonly user: string;
  readonly organization: string;
}

function presenceHolder(member: PresenceMember): string {
  return `${member.client} ${member.user} ${member.organization}`;
}

// Entries written before organizations were recorded ("client user") have none and are shown to no client.
function parsePresenceHolder(holder: string): PresenceMember {
  const [client = '', user = '', organization = ''] = holder.split(' ');
  return { client, user, organization };
}

function visibleTo(members: PresenceMember[], organizationId: string | undefined): PresenceMember[] {
  return organizationId === undefined ? members : members.filter((m) => m.organization === organizationId);
}
