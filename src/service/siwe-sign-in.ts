import { randomBytes } from 'node:crypto';
import { verifyMessage, type Hex } from 'viem';
import { parseSiweMessage, validateSiweMessage } from 'viem/siwe';
import type { Clock } from '../core/clock.ts';
import { ErrorCode, KeygateError } from '../core/errors.ts';
import type { User } from '../core/principal.ts';
import { publicWalletRefusal } from '../core/public-wallets.ts';
import { checksumAddress } from '../core/wallet-address.ts';
import type { ConsoleNonceRepository } from '../store/console-nonce-repository.ts';
import type { ConsoleOrigins } from './console-origins.ts';
import type { DirectoryService } from './directory-service.ts';

/** A nonce the browser must put into the EIP-4361 message it asks the wallet to sign. */
export interface IssuedNonce {
  readonly nonce: string;
  readonly expiresAt: number;
  /** The domain (host[:port]) a message should name: the preferred console origin's. */
  readonly domain: string;
  /** Every domain a message may name (the accepted console origins). */
  readonly domains: readonly string[];
}

export interface SiweProof {
  readonly message: string;
  readonly signature: string;
}

const refused = (message: string) => new KeygateError(ErrorCode.UNAUTHENTICATED, message);

/** Sign-In with Ethereum (EIP-4361): server nonces, message checks, signature recovery, wallet → user. */
export class SiweSignIn {
  readonly #nonces: ConsoleNonceRepository;
  readonly #directory: DirectoryService;
  readonly #clock: Clock;
  readonly #nonceTtlMs: number;
  readonly #origins: ConsoleOrigins;

  constructor(options: { nonces: ConsoleNonceRepository; directory: DirectoryService; clock: Clock; nonceTtlMs: number; origins: ConsoleOrigins }) {
    this.#nonces = options.nonces;
    this.#directory = options.directory;
    this.#clock = options.clock;
    this.#nonceTtlMs = options.nonceTtlMs;
    this.#origins = options.origins;
  }

  /** Hands out a fresh single-use nonce (stored, so any node can check it). */
  async issueNonce(): Promise<IssuedNonce> {
    // crypto.randomBytes rather than viem's generateSiweNonce: the nonce is what makes a signature unreplayable.
    const nonce = randomBytes(16).toString('hex');
    const now = this.#clock.now();
    const expiresAt = now + this.#nonceTtlMs;
    await this.#nonces.deleteExpired(now);
    await this.#nonces.insert(nonce, expiresAt);
    const domains = this.#origins.domains;
    return { nonce, expiresAt, domain: domains[0] ?? '', domains };
  }

  /**
   * Checks a signed EIP-4361 message from the client at `ip` and returns the user who owns the signing
   * wallet; consumes the nonce.
   */
  async verify(proof: SiweProof, ip: string | null): Promise<User> {
    const parsed = parseSiweMessage(proof.message);
    if (!parsed.address || !parsed.nonce || !parsed.domain || parsed.version !== '1') {
      throw refused('not a Sign-In with Ethereum (EIP-4361) message');
    }
    const publicWallet = publicWalletRefusal(checksumAddress(parsed.address), ip, 'sign in');
    if (publicWallet) throw new KeygateError(ErrorCode.FORBIDDEN, publicWallet, undefined, 'a wallet whose private key is public, from another machine');
    // Only configured (or listening) origins count, never the request's Host: a site that relays a
    // signature its visitor made for that site must fail. The refused domain is not echoed back.
    if (!this.#origins.accepts(parsed.domain, parsed.uri)) {
      const expected = this.#origins.origins.join(', ') || 'none yet';
      throw refused(`the message is for another site than this console; its domain and uri must name one of: ${expected}`);
    }
    const now = new Date(this.#clock.now());
    if (!validateSiweMessage({ message: parsed, domain: parsed.domain, time: now })) {
      throw refused('the sign-in message has expired or is not valid yet; sign in again');
    }
    let signed = false;
    try {
      signed = await verifyMessage({ address: parsed.address, message: proof.message, signature: proof.signature as Hex });
    } catch {
      signed = false;
    }
    if (!signed) throw refused('the signature was not made by the address in the message');
    if (!(await this.#nonces.consume(parsed.nonce, now.getTime()))) {
      throw refused('the nonce is unknown, expired or already used; request a new one and sign again');
    }
    const user = await this.#directory.userByWallet(parsed.address);
    if (!user) {
      throw new KeygateError(
        ErrorCode.FORBIDDEN,
        `wallet ${checksumAddress(parsed.address)} is not linked to any Keygate user; ask your organization admin to add it`,
        undefined,
        'the signing wallet is not linked to any Keygate user',
      );
    }
    return user;
  }
}
