import type { ApiKey } from '../core/api-key.ts';

/**
 * The spec 002 welcome, sent once a feed session is accepted. `allowedCex` lists the exchanges this
 * session receives: the key's allowed exchanges narrowed by the `cex` query, or `["*"]` when the
 * key allows every exchange and no filter was given.
 */
export function welcomeFrame(key: ApiKey, exchanges: ReadonlySet<string> | '*', now: number): string {
  const expiresInSecs = key.expiresAt === null ? null : Math.max(0, Math.floor((key.expiresAt - now) / 1000));
  const allowedCex = exchanges === '*' ? ['*'] : [...exchanges];
  return JSON.stringify({ type: 'welcome', tier: key.tier, maxConnections: key.maxConnections, allowedCex, expiresInSecs });
}

/**
 * A listing announcement for the feed, from a `listings:{exchange}` publication: the publication's
 * fields (see docs/demo-data.md) with `type` set to announcement and `publisher` filled in with the
 * channel's exchange when the publisher named none.
 */
export function announcementFrame(exchange: string, data: unknown): string {
  const fields = data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : { data };
  const { type: _ignored, ...rest } = fields;
  const named = typeof rest.publisher === 'string' || typeof rest.exchange === 'string';
  return JSON.stringify(named ? { type: 'announcement', ...rest } : { type: 'announcement', ...rest, publisher: exchange });
}

/** The answer to a client's `{"type":"test"}`: an announcement in the usual shape, marked as a test. */
export function testAnnouncementFrame(exchange: string, now: number): string {
  const us = now * 1000;
  return JSON.stringify({
    type: 'announcement',
    title: 'Test announcement: this connection receives announcements',
    ticker: 'TEST',
    publisher: exchange,
    listingType: 'spot_listing',
    publishTimestampUs: us,
    detectedTimestampUs: us,
    dispatchTimestampUs: us,
    test: true,
  });
}

/** An error the feed reports without closing, e.g. for a message it does not understand. */
export function feedErrorFrame(message: string): string {
  return JSON.stringify({ type: 'error', message });
}
