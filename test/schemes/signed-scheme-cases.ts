import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dialects } from '../support/databases.ts';
import { startNode, type TestNode } from '../support/harness.ts';
import type { SignedRequest } from '../support/signers.ts';

/** A signer for one key of a scheme, as a client holds it. */
export interface SchemeKey {
  /** Signs method + url (+ body where the scheme covers it) at `timestamp` (the scheme's unit). */
  sign(method: string, url: string, body?: string, timestamp?: string): SignedRequest;
}

/** What one scheme's test file supplies to the shared cases. */
export interface SignedSchemeFixture {
  readonly scheme: 'hmac' | 'rsa' | 'ed25519';
  /** Whether the signature covers the query string and the body. */
  readonly covers: { readonly query: boolean; readonly body: boolean };
  /** The scheme's timestamp for now + offsetMs, as a string. */
  timestamp(offsetMs?: number): string;
  /** Creates a key on the node through its profile; returns its signer. */
  createKey(node: TestNode): Promise<SchemeKey>;
  /** A signer that names an existing key but signs with different key material. */
  impostor(key: SchemeKey, node: TestNode): Promise<SchemeKey>;
  /** A signer naming a key id that does not exist. */
  unknownKey(): SchemeKey;
  /** Header names: key, timestamp, signature. */
  readonly headers: { readonly key: string; readonly timestamp: string; readonly signature: string };
  /** A signature header value of the wrong encoding or length. */
  readonly malformedSignature: string;
  /** The same signature bytes written another valid way (hex case, base64 without padding). */
  respell(signature: string): string;
}

function withHeader(signed: SignedRequest, name: string, value: string): SignedRequest {
  return { ...signed, headers: { ...signed.headers, [name]: value } };
}

/** The cases every signed scheme must pass, over every dialect (and Redis across two nodes when REDIS_URL is set). */
export function signedSchemeCases(fixture: SignedSchemeFixture): void {
  for (const dialect of dialects()) {
    describe(`${fixture.scheme} signed requests through the Verifier (${dialect})`, () => {
      let node: TestNode;
      let key: SchemeKey;
      const verify = async (signed: SignedRequest) =>
        (await node.request('POST', '/v1/keys/verify', { token: node.keygate.serverToken, body: { request: signed } })).body as { valid: boolean; code: string; message: string; key?: { scheme: string } };

      before(async () => {
        // The node starts on a clock a minute slow, then runs on time: its in-memory bus, which refuses
        // requests signed before it was made (replay-after-node-restart.test.ts), is then a minute old,
        // and a request signed 20 s ago is inside the window like on any node that has been up a while.
        let offset = -60_000;
        node = await startNode({ dialect, clock: { now: () => Date.now() + offset } });
        offset = 0;
        key = await fixture.createKey(node);
      });
      after(async () => node.stop());

      it('accepts a correctly signed request once', async () => {
        const signed = key.sign('POST', '/api/orders?limit=5', '{"side":"buy"}');
        const first = await verify(signed);
        assert.equal(first.valid, true, first.message);
        assert.equal(first.key?.scheme, fixture.scheme);
        const replay = await verify(signed);
        assert.equal(replay.code, 'REPLAYED');
        assert.match(replay.message, /already used/);
      });

      it('accepts exactly one of 20 identical signed requests sent at once', async () => {
        const signed = key.sign('POST', '/api/orders?limit=9', '{"side":"buy"}');
        const codes = await Promise.all(Array.from({ length: 20 }, () => verify(signed).then((verdict) => verdict.code)));
        assert.equal(codes.filter((code) => code === 'VALID').length, 1, codes.join(' '));
        assert.equal(codes.filter((code) => code === 'REPLAYED').length, 19, codes.join(' '));
      });

      it('refuses the same signature written another way as a replay', async () => {
        const signed = key.sign('POST', '/api/orders?limit=6', '{"side":"sell"}');
        assert.equal((await verify(signed)).valid, true);
        const respelled = fixture.respell(signed.headers[fixture.headers.signature]!);
        assert.notEqual(respelled, signed.headers[fixture.headers.signature]);
        assert.equal((await verify(withHeader(signed, fixture.headers.signature, respelled))).code, 'REPLAYED');
      });

      it('refuses the same signature under the key id written another way as a replay', async () => {
        const signed = key.sign('GET', '/api/orders?limit=7');
        assert.equal((await verify(signed)).valid, true);
        const keyId = signed.headers[fixture.headers.key]!;
        for (const respelled of [keyId.toUpperCase(), ` ${keyId} `]) {
          assert.equal((await verify(withHeader(signed, fixture.headers.key, respelled))).code, 'REPLAYED', JSON.stringify(respelled));
        }
      });

      it('refuses a tampered method, path, query or body', async () => {
        const signed = key.sign('POST', '/api/orders?limit=5', '{"side":"buy"}');
        assert.equal((await verify({ ...signed, method: 'DELETE' })).code, 'INVALID_SIGNATURE');
        const path = await verify({ ...signed, url: '/api/withdraw?limit=5' });
        assert.equal(path.code, 'INVALID_SIGNATURE');
        assert.match(path.message, /signature/i);
        const query = await verify({ ...key.sign('GET', '/api/orders?limit=5'), url: '/api/orders?limit=500' });
        assert.equal(query.code, fixture.covers.query ? 'INVALID_SIGNATURE' : 'VALID');
        const body = await verify({ ...key.sign('POST', '/api/orders', '{"q":1}'), body: '{"q":100}' });
        assert.equal(body.code, fixture.covers.body ? 'INVALID_SIGNATURE' : 'VALID');
      });

      it('refuses stale and future timestamps, with 401 at forward-auth', async () => {
        const stale = await verify(key.sign('GET', '/api/x', '', fixture.timestamp(-31_000)));
        assert.equal(stale.code, 'STALE_TIMESTAMP');
        assert.match(stale.message, /^timestamp is 31(\.\d)?s in the past; a signed request may be at most 30s old$/);
        const future = await verify(key.sign('GET', '/api/x', '', fixture.timestamp(31_000)));
        assert.equal(future.code, 'STALE_TIMESTAMP');
        assert.match(future.message, /^timestamp is 3[01](\.\d)?s in the future; a signed request may be at most 1s ahead of the server time/);
        // A timestamp may be 30 s old but only 1 s ahead (as at Binance and Bybit): a clock 2.5 s fast is refused, naming the skew.
        const fast = await verify(key.sign('GET', '/api/x', '', fixture.timestamp(2_500)));
        assert.equal(fast.code, 'STALE_TIMESTAMP');
        assert.match(fast.message, /^timestamp is 2\.[45]s in the future; a signed request may be at most 1s ahead/);
        const slightlyAhead = await verify(key.sign('GET', '/api/x', '', fixture.timestamp(500)));
        assert.equal(slightlyAhead.valid, true, 'half a second ahead is within the 1 s allowed');
        const inWindow = await verify(key.sign('GET', '/api/x', '', fixture.timestamp(-20_000)));
        assert.equal(inWindow.valid, true);
        const signed = key.sign('GET', '/api/y', '', fixture.timestamp(-60_000));
        const response = await fetch(`${node.url}/v1/auth`, { headers: { ...signed.headers, 'x-original-uri': '/api/y' } });
        assert.equal(response.status, 401);
        assert.equal(response.headers.get('x-keygate-code'), 'STALE_TIMESTAMP');
      });

      it('refuses a wrong signer and an unknown key', async () => {
        const impostor = await fixture.impostor(key, node);
        assert.equal((await verify(impostor.sign('GET', '/api/x'))).code, 'INVALID_SIGNATURE');
        const unknown = await verify(fixture.unknownKey().sign('GET', '/api/x'));
        assert.equal(unknown.code, 'NOT_FOUND');
      });

      it('refuses malformed headers with a message naming the header', async () => {
        const signed = key.sign('GET', '/api/x');
        const badSignature = await verify(withHeader(signed, fixture.headers.signature, fixture.malformedSignature));
        assert.equal(badSignature.code, 'MALFORMED');
        assert.match(badSignature.message, new RegExp(fixture.headers.signature));
        const badTimestamp = await verify(withHeader(key.sign('GET', '/api/x', '', 'yesterday'), fixture.headers.timestamp, 'yesterday'));
        assert.equal(badTimestamp.code, 'MALFORMED');
        const { [fixture.headers.signature]: _dropped, ...headers } = signed.headers;
        const missing = await verify({ ...signed, headers });
        assert.equal(missing.code, 'MALFORMED');
        assert.equal(missing.message, `signed request is missing the ${fixture.headers.signature} header`);
        const { [fixture.headers.timestamp]: _noTime, ...withoutTimestamp } = signed.headers;
        assert.equal((await verify({ ...signed, headers: withoutTimestamp })).message, `signed request is missing the ${fixture.headers.timestamp} header`);
        const { [fixture.headers.timestamp]: _neither, ...onlyKey } = headers;
        assert.equal((await verify({ ...signed, headers: onlyKey })).message, `signed request is missing the ${fixture.headers.timestamp} and ${fixture.headers.signature} headers`);
      });
    });
  }

  describe(`${fixture.scheme} replay across two nodes sharing Redis`, { skip: process.env.REDIS_URL ? false : 'REDIS_URL is not set' }, () => {
    let first: TestNode;
    let second: TestNode;
    before(async () => {
      first = await startNode({ redis: true, dialect: process.env.DATABASE_URL ? 'postgres' : 'sqlite' });
      second = await startNode({ redis: true, joinOf: first });
    });
    after(async () => {
      await second.stop();
      await first.stop();
    });

    it('accepts a signed request on one node and refuses the same request on the other', async () => {
      const key = await fixture.createKey(first);
      const signed = key.sign('GET', '/api/balance');
      const verifyOn = async (node: TestNode) =>
        (await node.request('POST', '/v1/keys/verify', { token: node.keygate.serverToken, body: { request: signed } })).body.code;
      assert.equal(await verifyOn(first), 'VALID');
      assert.equal(await verifyOn(second), 'REPLAYED');
    });

    it('accepts exactly one of 20 identical signed requests sent at once to both nodes', async () => {
      const key = await fixture.createKey(first);
      const signed = key.sign('GET', '/api/positions');
      const codes = await Promise.all(
        Array.from({ length: 20 }, async (_, i) => {
          const node = i % 2 === 0 ? first : second;
          return (await node.request('POST', '/v1/keys/verify', { token: node.keygate.serverToken, body: { request: signed } })).body.code as string;
        }),
      );
      assert.equal(codes.filter((code) => code === 'VALID').length, 1, codes.join(' '));
      assert.equal(codes.filter((code) => code === 'REPLAYED').length, 19, codes.join(' '));
    });
  });
}
