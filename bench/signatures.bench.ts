// Signature verifications per second through the Verifier (extract → cache → clock window → signature →
// replay guard → policy) for RSA-PSS, Ed25519 and HMAC, each against raw node:crypto verification of the
// same pre-signed messages in the same run. Goals (issue 11): the Verifier keeps ≥ 0.8 of raw HMAC,
// ≥ 0.85 of raw RSA-PSS and ≥ 0.9 of raw Ed25519 throughput — the cheaper the crypto, the more the
// verifier's own work (header index, cache entry, window, replay claim, policy) shows.
import { createHmac, createPrivateKey, createPublicKey, sign, timingSafeEqual, verify, generateKeyPairSync, constants, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Principal } from '../src/core/principal.ts';
import type { RequestFacts } from '../src/core/request-facts.ts';
import { compiled } from './compiled-build.ts';
import { median, printFigures, type BenchFigure } from './report.ts';

const { ManualClock } = await compiled<typeof import('../src/core/clock.ts')>('core/clock');
const { loadConfig } = await compiled<typeof import('../src/config/load-config.ts')>('config/load-config');
const { createKeygate } = await compiled<typeof import('../src/runtime/keygate.ts')>('runtime/keygate');
const { MemoryBroker } = await compiled<typeof import('../src/bus/broker-memory.ts')>('bus/broker-memory');
const { claimSignature, claimSpace } = await compiled<typeof import('../src/schemes/replay-guard.ts')>('schemes/replay-guard');

const PSS = { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };

interface Case {
  readonly name: string;
  /** The scheme's name, as its replay claims spell it. */
  readonly scheme: 'hmac' | 'ed25519' | 'rsa';
  /** The key's lookup, as its replay claims spell it. */
  readonly lookup: string;
  /** The signature bytes of request i, as the replay guard claims them. */
  signature(i: number): Buffer;
  /** The Verifier ÷ raw ratio this scheme should reach. */
  readonly goal: number;
  readonly requests: RequestFacts[];
  /** Raw verification of request i with node:crypto alone. */
  raw(i: number): boolean;
}

const ROUNDS = 20;
/** The share of each case's requests verified before measuring, both ways, and not counted. */
const WARM_UP = 0.25;
const collectGarbage = (globalThis as { gc?: () => void }).gc;
const signAsync = promisify(sign);


/** CPU time this process has used, in microseconds (user + system, every thread). */
function cpuMicros(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}

/**
 * Verifies every pre-signed request once through the Verifier and once raw, alternating in short
 * rounds; the median round of each side is reported. The first quarter of the requests is verified
 * both ways first, uncounted, from a collected heap: until then the rounds measured start-up (the
 * scheme's code being compiled on other threads, the garbage of making the requests being collected),
 * which for RSA's few thousand requests was most of the run. Rates are per second of this process's CPU
 * time, not of the wall clock: on a shared machine a round is preempted by its neighbours' work, and
 * the longer side (the Verifier's) is preempted more often, so wall-clock rounds a few milliseconds
 * long (RSA's) measured the scheduler as much as the code. Returns verifications per CPU second.
 */
async function measure(c: Case, verifyOne: (facts: RequestFacts) => Promise<boolean>): Promise<{ raw: number; through: number }> {
  collectGarbage?.();
  const warm = Math.floor(c.requests.length * WARM_UP);
  for (let i = 0; i < warm; i++) {
    if (!c.raw(i)) throw new Error(`${c.name}: raw verification failed`);
    if (!(await verifyOne(c.requests[i]))) throw new Error(`${c.name} #${i}: refused`);
  }
  const rawRates: number[] = [];
  const throughRates: number[] = [];
  const chunk = Math.ceil((c.requests.length - warm) / ROUNDS);
  for (let from = warm; from < c.requests.length; from += chunk) {
    const to = Math.min(from + chunk, c.requests.length);
    let start = cpuMicros();
    for (let i = from; i < to; i++) if (!c.raw(i)) throw new Error(`${c.name}: raw verification failed`);
    rawRates.push((to - from) / ((cpuMicros() - start) / 1e6));
    start = cpuMicros();
    for (let i = from; i < to; i++) if (!(await verifyOne(c.requests[i]))) throw new Error(`${c.name} #${i}: refused`);
    throughRates.push((to - from) / ((cpuMicros() - start) / 1e6));
  }
  if (process.env.BENCH_SHOW_ROUNDS) console.log(`${c.name} per round, µs raw / through: ${rawRates.map((raw, i) => `${(1e6 / raw).toFixed(1)}/${(1e6 / throughRates[i]).toFixed(1)}`).join(' ')}`);
  return { raw: median(rawRates), through: median(throughRates) };
}

const dataDir = mkdtempSync(join(tmpdir(), 'keygate-bench-'));
const clock = new ManualClock(Date.now());
const keygate = await createKeygate({ config: loadConfig({ env: {}, overrides: { dataDir, port: 0, logLevel: 'silent' } }), clock });
try {
  const organization = await keygate.directory.createOrganization('bench');
  const user = await keygate.directory.createUser({ organizationId: organization.id, name: 'bench' });
  const principal: Principal = { user, organization, via: 'bench', ip: null };
  const path = '/trade-api/v2/portfolio/orders';
  const body = '{"ticker":"BENCH","side":"yes","count":1}';
  // The floor's brokers, one per case, made now with the Verifier's: a broker cannot vouch for a
  // request timestamped less than signatureFutureMs after it was made. The clock (which otherwise
  // stands still) then moves past that, and the requests are signed in the second before it (RSA's
  // 8,000 repeat those 1,000 timestamps; PSS salts every signature, so each is still new).
  const window = { pastMs: keygate.config.verify.signatureWindowMs, futureMs: keygate.config.verify.signatureFutureMs };
  const floorBrokers = { hmac: new MemoryBroker(clock), ed25519: new MemoryBroker(clock), rsa: new MemoryBroker(clock) };
  clock.advance(window.futureMs + 2000);
  const timestamp = (i: number) => String(clock.now() - 1 - (i % 1000));

  // HMAC (spec 001): hex HMAC-SHA256 over ts + METHOD + path?query + body.
  const hmacKey = await keygate.keys.create(principal, { name: 'hmac', scheme: 'hmac' });
  const hmacSecret = hmacKey.secret!;
  const hmacMessages: string[] = [];
  // Decoded once here: the floor's claim takes the bytes, and decoding them again per call (the raw
  // side decodes the header already) made the floor pay for a second decode no verifier makes.
  const hmacSignatures: Buffer[] = [];
  const hmacCase: Case = {
    name: 'HMAC-SHA256',
    scheme: 'hmac',
    lookup: hmacKey.key.lookup,
    signature: (i) => hmacSignatures[i],
    goal: 0.8,
    requests: Array.from({ length: 60_000 }, (_, i) => {
      const ts = timestamp(i);
      const url = `${path}?n=${i}`;
      const message = ts + 'POST' + url + body;
      hmacMessages.push(message);
      const signature = createHmac('sha256', hmacSecret).update(message).digest('hex');
      hmacSignatures.push(Buffer.from(signature, 'hex'));
      return { method: 'POST', url, body, headers: { 'api-key': hmacKey.key.lookup, 'api-timestamp': ts, 'api-signature': signature } };
    }),
    raw(i) {
      const expected = createHmac('sha256', hmacSecret).update(hmacMessages[i]).digest();
      return timingSafeEqual(expected, Buffer.from(this.requests[i].headers['api-signature']!, 'hex'));
    },
  };

  // Ed25519 (spec 003): 128-hex signature over ts(ns) + METHOD + path?query + body.
  const ed = generateKeyPairSync('ed25519');
  const edDer = ed.publicKey.export({ type: 'spki', format: 'der' });
  const edKey = await keygate.keys.create(principal, { name: 'ed', scheme: 'ed25519', material: { publicKey: edDer.subarray(edDer.length - 32).toString('hex') } });
  const edMessages: Buffer[] = [];
  const edSignatures: Buffer[] = [];
  const edCase: Case = {
    name: 'Ed25519',
    scheme: 'ed25519',
    lookup: edKey.key.lookup,
    signature: (i) => edSignatures[i],
    goal: 0.9,
    requests: Array.from({ length: 12_000 }, (_, i) => {
      const ts = (BigInt(timestamp(i)) * 1_000_000n).toString();
      const url = `${path}?n=${i}`;
      const message = Buffer.from(ts + 'POST' + url + body);
      const signature = sign(null, message, ed.privateKey);
      edMessages.push(message);
      edSignatures.push(signature);
      return { method: 'POST', url, body, headers: { 'x-api-key': edKey.key.lookup, 'x-timestamp': ts, 'x-signature': signature.toString('hex') } };
    }),
    raw: (i) => verify(null, edMessages[i], ed.publicKey, edSignatures[i]),
  };

  // RSA-PSS (spec 004): base64 signature over ts(ms) + METHOD + path.
  const rsaKey = await keygate.keys.create(principal, { name: 'rsa', scheme: 'rsa', material: { generate: true } });
  const rsaPrivate: KeyObject = createPrivateKey(rsaKey.secret!);
  const rsaPublic = createPublicKey(rsaKey.key.publicKey!);
  const rsaOptions = { key: rsaPublic, ...PSS };
  // Signed on the thread pool, in parallel: about a millisecond of CPU each.
  const rsaMessages = Array.from({ length: 8_000 }, (_, i) => Buffer.from(timestamp(i) + 'GET' + path));
  const rsaSignatures = await Promise.all(rsaMessages.map((message) => signAsync('sha256', message, { key: rsaPrivate, ...PSS })));
  const rsaCase: Case = {
    name: 'RSA-PSS-SHA256 (2048)',
    scheme: 'rsa',
    lookup: rsaKey.key.lookup,
    signature: (i) => rsaSignatures[i],
    goal: 0.85,
    requests: rsaSignatures.map((signature, i) => ({
      method: 'GET',
      url: `${path}?limit=${i}`,
      headers: { 'kalshi-access-key': rsaKey.key.lookup, 'kalshi-access-timestamp': timestamp(i), 'kalshi-access-signature': signature.toString('base64') },
    })),
    // Options built once, as the Verifier builds them once per key.
    raw: (i) => verify('sha256', rsaMessages[i], rsaOptions, rsaSignatures[i]),
  };

  const figures: BenchFigure[] = [];
  const viaVerifier = async (facts: RequestFacts) => {
    const verdict = await keygate.verifier.verify(facts);
    if (!verdict.valid) console.error(`${verdict.code}: ${verdict.message}`);
    return verdict.valid;
  };
  // HMAC first: its 60,000 requests warm the Verifier's shared code (index, cache, window, claim,
  // policy) the way a running server's traffic does; each case then warms its own scheme (WARM_UP).
  const floors: BenchFigure[] = [];
  for (const c of [hmacCase, edCase, rsaCase]) {
    const { raw, through } = await measure(c, viaVerifier);
    figures.push({ name: `${c.name} via Verifier`, value: through, unit: 'verif/CPU-s', baseline: raw, goal: c.goal });
    // Raw crypto plus the one step no verifier may skip: the replay claim (each signature accepted once),
    // made by the replay guard on a broker of its own, exactly as the Verifier makes it.
    const claims = floorBrokers[c.scheme];
    const index = new Map(c.requests.map((request, i) => [request, i]));
    const space = claimSpace(c.scheme, c.lookup);
    const withClaim = await measure(c, async (facts) => {
      const i = index.get(facts)!;
      return c.raw(i) && (await claimSignature(claims, space, c.signature(i), window, clock.now())) === null;
    });
    floors.push({ name: `${c.name} raw + replay claim`, value: withClaim.through, unit: 'verif/CPU-s', baseline: withClaim.raw });
  }
  printFigures('Signed-request verification per CPU second: Verifier vs raw node:crypto (same messages, same run)', figures);
  printFigures('The floor under those ratios: raw node:crypto plus the replay claim alone, vs raw (the best ratio a verifier that must refuse replays can reach)', floors);
} finally {
  await keygate.close();
  rmSync(dataDir, { recursive: true, force: true });
}
