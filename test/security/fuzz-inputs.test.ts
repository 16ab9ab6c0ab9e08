import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startNode, type TestNode } from '../support/harness.ts';
import { seedKey, type SeededKey } from '../support/seed.ts';
import { dialects } from '../support/databases.ts';

/** A small seeded PRNG (mulberry32) so a failure can be replayed from its seed. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)];
  return { next, int, pick };
}

type Rng = ReturnType<typeof random>;

const ALPHABETS = ['0123456789abcdef', '0123456789ABCDEF', 'abcdefghijklmnopqrstuvwxyz_-', ' \t!"#$%&\'()*+,-./:;<=>?@[\\]^`{|}~', 'dsk_kgm_'];

function text(rng: Rng, max = 80, alphabets = ALPHABETS): string {
  const alphabet = rng.pick(alphabets);
  return Array.from({ length: rng.int(max) }, () => alphabet[rng.int(alphabet.length)]).join('');
}

/** Keys that are wrong in every way a client gets them wrong, plus a few right ones. */
function candidateKey(rng: Rng, valid: string): string {
  const hex = () => Array.from({ length: 64 }, () => '0123456789abcdef'[rng.int(16)]).join('');
  return rng.pick([
    () => 'dsk_' + hex(),
    () => 'dsk_' + hex().slice(0, rng.int(64)),
    () => 'dsk_' + hex() + text(rng, 5),
    () => 'DSK_' + hex(),
    () => 'dsk_' + hex().toUpperCase(),
    () => valid.slice(0, -1) + 'g',
    () => valid + ' ',
    () => ' ' + valid,
    () => valid.slice(0, rng.int(valid.length)),
    () => text(rng, 200),
    () => 'x'.repeat(rng.int(6000)),
    () => '',
    () => valid,
  ])();
}

/** Random JSON: any type, any depth, edge-case numbers and strings. */
function json(rng: Rng, depth = 0): unknown {
  const leaf = [
    () => null,
    () => rng.next() < 0.5,
    () => rng.int(1e9) - 5e8,
    () => rng.pick([0, -1, 1e300, -1e300, 2 ** 63, 1.5, Number.MAX_SAFE_INTEGER + 2]),
    () => text(rng),
    () => rng.pick(['', '\u0000', 'é🔑', '2026-13-45T99:99:99Z', '../../etc/passwd', "'; DROP TABLE api_keys; --", '__proto__', 'read', '*', '10.0.0.0/8']),
  ];
  if (depth > 3 || rng.next() < 0.5) return rng.pick(leaf)();
  if (rng.next() < 0.5) return Array.from({ length: rng.int(5) }, () => json(rng, depth + 1));
  const fields = ['name', 'permissions', 'ipAllowlist', 'allowedExchanges', 'tier', 'maxConnections', 'expiresAt', 'expiresInSeconds', 'ownerId', 'key', 'ip', 'permission', 'request', 'method', 'url', 'headers', 'body', '__proto__', 'constructor'];
  return Object.fromEntries(Array.from({ length: rng.int(6) }, () => [rng.next() < 0.8 ? rng.pick(fields) : text(rng, 10), json(rng, depth + 1)]));
}

/** A raw HTTP request (node:http lets through header values fetch would refuse). */
function send(url: string, method: string, headers: Record<string, string>, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

function assertClear(where: string, res: { status: number; text: string }): void {
  assert.ok(res.status < 500, `${where} answered ${res.status}: ${res.text.slice(0, 300)}`);
  if (res.status >= 400 && res.text) {
    const body = JSON.parse(res.text);
    assert.equal(typeof body.error?.code, 'string', `${where}: ${res.text.slice(0, 300)}`);
    assert.equal(typeof body.error?.message, 'string', `${where}: ${res.text.slice(0, 300)}`);
  }
}

for (const dialect of dialects()) {
  describe(`fuzzed inputs never cause a 500 (${dialect})`, () => {
    let node: TestNode;
    let valid: SeededKey;
    const seed = Number(process.env.KEYGATE_FUZZ_SEED ?? 20260101);
    before(async () => {
      // A high failure budget so the fuzzing itself is not throttled into 429s.
      node = await startNode({ dialect, config: { verify: { failuresPerMinutePerIp: 100_000 } } });
      valid = await seedKey(node, node.admin.token, { ipAllowlist: ['127.0.0.1', '::1'] });
    });
    after(async () => node.stop());

    it(`forward-auth with random keys and proxy headers (seed ${seed})`, async () => {
      const rng = random(seed);
      for (let i = 0; i < 300; i++) {
        const headers: Record<string, string> = {};
        const where = rng.int(4);
        const key = candidateKey(rng, valid.key);
        if (where === 0) headers['x-api-key'] = key;
        if (where === 1) headers.authorization = rng.pick(['Bearer ', 'bearer ', 'Basic ', 'Bearer\t', '']) + key;
        let path = '/v1/auth';
        if (where === 2) path += '?api_key=' + encodeURIComponent(key) + rng.pick(['', '&api_key=' + encodeURIComponent(key), '&permission=' + encodeURIComponent(text(rng, 12))]);
        if (rng.next() < 0.5) headers['x-original-uri'] = rng.pick(['/', '/feed?api_key=' + key, '%zz', '/?api_key=%', text(rng, 100)]);
        if (rng.next() < 0.3) headers['x-original-method'] = text(rng, 10);
        if (rng.next() < 0.3) headers['x-real-ip'] = rng.pick(['127.0.0.1', '::1', '999.0.0.1', text(rng, 40), '::ffff:10.0.0.1']);
        if (rng.next() < 0.3) headers['x-forwarded-for'] = rng.pick(['1.2.3.4, 5.6.7.8', text(rng, 40), '']);
        if (rng.next() < 0.2) headers['x-keygate-permission'] = text(rng, 30);
        const res = await send(node.url + path, rng.pick(['GET', 'HEAD', 'POST', 'DELETE']), headers);
        assertClear(`forward-auth #${i} ${JSON.stringify(headers)} ${path}`, res);
        // 400: a parameter the address does not take is refused (here api_key= on the address beside X-Original-URI, where it is not read).
        assert.ok([200, 400, 401, 403].includes(res.status), `forward-auth #${i} answered ${res.status}`);
      }
    });

    it(`the verify API with random bodies (seed ${seed})`, async () => {
      const rng = random(seed + 1);
      const auth = { authorization: `Bearer ${node.keygate.serverToken}`, 'content-type': 'application/json' };
      for (let i = 0; i < 300; i++) {
        const shape = rng.int(3);
        const body =
          shape === 0
            ? JSON.stringify({ key: candidateKey(rng, valid.key), ...(rng.next() < 0.5 ? { ip: text(rng, 40) } : {}), ...(rng.next() < 0.5 ? { permission: text(rng, 20) } : {}) })
            : shape === 1
              ? JSON.stringify(json(rng))
              : text(rng, 300);
        const res = await send(`${node.url}/v1/keys/verify`, 'POST', auth, body);
        assertClear(`verify #${i} ${body.slice(0, 200)}`, res);
        if (res.status === 200) assert.equal(typeof JSON.parse(res.text).valid, 'boolean');
      }
    });

    it(`creating keys with random bodies (seed ${seed})`, async () => {
      const rng = random(seed + 2);
      const member = await node.addUser({ role: 'admin' });
      for (let i = 0; i < 300; i++) {
        const body = rng.next() < 0.8 ? JSON.stringify(json(rng)) : text(rng, 300);
        const type = rng.pick(['application/json', 'application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded']);
        const res = await send(`${node.url}/v1/keys`, 'POST', { authorization: `Bearer ${member.token}`, 'content-type': type }, body);
        assertClear(`create #${i} ${type} ${body.slice(0, 200)}`, res);
        if (res.status === 201) {
          // Anything accepted must be a sound key; delete it so the per-user limit never interferes.
          const created = JSON.parse(res.text);
          assert.match(created.key, /^dsk_[0-9a-f]{64}$/);
          assert.equal((await node.request('DELETE', `/v1/keys/${created.id}`, { token: member.token })).status, 204);
        }
      }
    });
  });
}
