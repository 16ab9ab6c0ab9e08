import { keyStatus, type ApiKey } from '../core/api-key.ts';
import type { Clock } from '../core/clock.ts';
import { DAY_MS } from '../core/token-lifetime.ts';
import { normaliseEd25519PublicKey } from '../core/ed25519-public-key.ts';
import { recoverPersonalSigner, type SplitSignature } from '../core/eip191-signature.ts';
import { badInput, ErrorCode, KeygateError } from '../core/errors.ts';
import type { Principal, User } from '../core/principal.ts';
import { publicWalletRefusal } from '../core/public-wallets.ts';
import { normaliseAddress } from '../core/wallet-address.ts';
import { createKeyMessage, revokeKeyMessage } from '../core/wallet-key-message.ts';
import type { Config } from '../config/config-schema.ts';
import type { ApiKeyRepository } from '../store/api-key-repository.ts';
import { LockName } from '../store/lock-names.ts';
import type { StoreTransaction } from '../store/store.ts';
import type { FailureThrottle } from '../verify/failure-throttle.ts';
import type { AuditTrail } from './audit-trail.ts';
import type { DirectoryService } from './directory-service.ts';
import { validateKeyName } from '../core/key-name.ts';
import type { KeyService } from './key-service.ts';

/** Spec 003: validUntil lies between one and 180 days ahead; fourteen when left out. */
export const VALID_UNTIL = { minMs: DAY_MS, maxMs: 180 * DAY_MS, defaultMs: 14 * DAY_MS } as const;
/** Account indexes a wallet's live keys occupy. */
export const MAX_ACCOUNT_INDEX = 9;

export interface WalletKeyRequest {
  readonly address: string;
  readonly publicKey: string;
  readonly apiWalletName: string;
  readonly signature: SplitSignature;
}

export interface RegisterWalletKeyInput extends WalletKeyRequest {
  readonly validUntil?: number;
}

export interface WalletKeyServiceDependencies {
  readonly keys: KeyService;
  /** Counts failed wallet signatures per IP: recovering a signer is costly, so repeated failures are throttled. */
  readonly throttle: FailureThrottle;
  readonly keyStore: Pick<ApiKeyRepository, 'findByLookup'>;
  readonly directory: DirectoryService;
  readonly audit: AuditTrail;
  readonly clock: Clock;
  readonly settings: Config['wallets'];
}

/**
 * Ed25519 keys registered and revoked by an EIP-191 personal_sign of the owning wallet (spec 003).
 * The signature is the only credential: the recovered signer must be the address in the request.
 */
export class WalletKeyService {
  readonly #deps: WalletKeyServiceDependencies;

  constructor(deps: WalletKeyServiceDependencies) {
    this.#deps = deps;
  }

  /** Registers a key for the wallet (provisioning a user for a wallet Keygate does not know yet). */
  async register(input: RegisterWalletKeyInput, ip: string | null): Promise<ApiKey> {
    const now = this.#deps.clock.now();
    const address = normaliseAddress(input.address, 'address');
    const publicKey = normaliseEd25519PublicKey(input.publicKey, 'publicKey');
    const validUntil = input.validUntil ?? now + VALID_UNTIL.defaultMs;
    if (!Number.isInteger(validUntil) || validUntil < now + VALID_UNTIL.minMs || validUntil > now + VALID_UNTIL.maxMs) {
      throw badInput('validUntil', 'validUntil must be epoch milliseconds between 1 and 180 days from now (default: 14 days)');
    }
    // The message is rebuilt from the body fields exactly as sent: that is what the wallet signed.
    // Without validUntil in the body there is none in the message either (the client cannot know the server's default).
    const message = input.validUntil === undefined ? revokeKeyMessage(input.apiWalletName, input.publicKey) : createKeyMessage(input.apiWalletName, input.publicKey, validUntil);
    await this.#requireSigner(message, input, address, 'key.create', ip);

    // A public key registers once: otherwise a revoke signature (same message as a create without
    // validUntil) could be replayed to bring a revoked, possibly compromised, key back. This check
    // words the refusal; the store's unique lookup index refuses a concurrent duplicate (409 too).
    const existing = await this.#deps.keyStore.findByLookup('ed25519', publicKey);
    if (existing) {
      const state = keyStatus(existing, now) === 'active' ? 'is already registered' : 'was registered before and cannot be registered again';
      throw new KeygateError(ErrorCode.CONFLICT, `this Ed25519 public key ${state}; generate a new key pair`, 'publicKey');
    }
    const principal = await this.#principal(await this.#ownerOf(address, ip), ip);
    const created = await this.#deps.keys.create(principal, {
      name: input.apiWalletName,
      scheme: 'ed25519',
      permissions: this.#deps.settings.keyPermissions,
      expiresAt: validUntil,
      material: { publicKey, publicKeyField: 'publicKey' },
      walletAddress: address,
      claimAccountIndex: (tx, at) => this.#claimAccountIndex(tx, address, at),
      origin: 'wallet',
      fieldNames: { name: 'apiWalletName' },
    });
    return created.key;
  }

  /** Revokes a key; only the wallet that registered it may. */
  async revoke(input: WalletKeyRequest, ip: string | null): Promise<ApiKey> {
    const address = normaliseAddress(input.address, 'address');
    const publicKey = normaliseEd25519PublicKey(input.publicKey, 'publicKey');
    await this.#requireSigner(revokeKeyMessage(input.apiWalletName, input.publicKey), input, address, 'key.revoke', ip);
    const key = await this.#deps.keyStore.findByLookup('ed25519', publicKey);
    if (!key || key.deletedAt !== null) throw new KeygateError(ErrorCode.NOT_FOUND, `no API key ${publicKey}`, 'publicKey');
    if (key.walletAddress !== address) {
      await this.#deps.audit.record(this.#walletActor(address, ip), 'key.revoke', 'denied', key.id, { reason: 'key belongs to another wallet' });
      throw new KeygateError(ErrorCode.UNAUTHENTICATED, 'this API key was registered by another wallet; only that wallet may revoke it');
    }
    // Compare as the name was stored (trimmed): the signature covers the name exactly as sent.
    if (key.name !== validateKeyName(input.apiWalletName, 'apiWalletName')) {
      throw badInput('apiWalletName', 'apiWalletName must be the name the key was created with');
    }
    const owner = await this.#deps.directory.user(key.userId);
    return this.#deps.keys.revokeKey(await this.#principal(owner, ip), key, { policy: 'owner' });
  }

  async #requireSigner(message: string, input: WalletKeyRequest, address: string, action: string, ip: string | null): Promise<void> {
    const { throttle } = this.#deps;
    await throttle.assertAllowed('wallet-fail', ip, 'too many failed wallet signatures from this address; try again in a minute');
    // A failure like a wrong signature, on the same budget, spent before the refusal is written: anyone
    // can send a development wallet's address, and each refusal is an audit row kept for good.
    const publicWallet = publicWalletRefusal(address, ip, action === 'key.create' ? 'register API keys' : 'revoke API keys');
    if (publicWallet) {
      await throttle.spend('wallet-fail', ip, 'too many failed wallet signatures from this address; try again in a minute');
      await this.#deps.audit.record(this.#walletActor(address, ip), action, 'denied', null, { reason: 'a wallet whose private key is public, from another machine' });
      throw new KeygateError(ErrorCode.FORBIDDEN, publicWallet);
    }
    const signer = await recoverPersonalSigner(message, input.signature, 'signature');
    if (signer === address) return;
    await throttle.recordFailure('wallet-fail', ip);
    await this.#deps.audit.record(this.#walletActor(address, ip), action, 'denied', null, { reason: 'wallet signature does not match address', recovered: signer });
    throw new KeygateError(
      ErrorCode.UNAUTHENTICATED,
      signer === null
        ? 'signature could not be recovered; sign the canonical message with personal_sign'
        : `signature was made by ${signer}, not by ${address}; sign the canonical message with the wallet that owns address`,
    );
  }

  #walletActor(address: string, ip: string | null) {
    return { userId: null, label: `wallet ${address}`, organizationId: null, ip };
  }

  /**
   * The user owning the wallet; a wallet Keygate does not know becomes a member of the wallet
   * organization. Anyone can make a new wallet and sign with it, so each address may provision only
   * so many users a minute (the failure budget's size): each is a row kept for good.
   */
  async #ownerOf(address: string, ip: string | null): Promise<User> {
    const { directory, settings, throttle } = this.#deps;
    const owner = await directory.userByWallet(address);
    if (owner) return owner;
    await throttle.spend('wallet-user', ip, 'too many new wallet accounts from this address; try again in a minute');
    const organization = await this.#walletOrganization(settings.organizationName);
    try {
      return await directory.createUser({ organizationId: organization.id, name: address, role: 'member', wallets: [address] });
    } catch (error) {
      // Another request provisioned the same wallet meanwhile.
      const raced = error instanceof KeygateError && error.code === ErrorCode.CONFLICT ? await directory.userByWallet(address) : null;
      if (raced) return raced;
      throw error;
    }
  }

  async #walletOrganization(name: string) {
    const { directory } = this.#deps;
    try {
      return await directory.findOrganization(name);
    } catch (error) {
      if (!(error instanceof KeygateError) || error.code !== ErrorCode.NOT_FOUND) throw error;
    }
    try {
      return await directory.createOrganization(name, 'admins');
    } catch (error) {
      if (error instanceof KeygateError && error.code === ErrorCode.CONFLICT) return directory.findOrganization(name);
      throw error;
    }
  }

  async #principal(user: User, ip: string | null): Promise<Principal> {
    return { user, organization: await this.#deps.directory.organization(user.organizationId), via: 'wallet', ip };
  }

  /**
   * The lowest account index no live key of this wallet holds, claimed inside the creating
   * transaction under the wallet's lock: concurrent registrations queue there, and the store's unique
   * (wallet, account slot) index refuses any duplicate that got past it. Indexes of keys that ended
   * (revoked, deleted, expired) are freed first, as expiry is a matter of time no index can express.
   */
  async #claimAccountIndex(tx: StoreTransaction, address: string, now: number): Promise<number> {
    await tx.lock(LockName.walletKeys(address));
    await tx.keys.releaseEndedAccountSlots(address, now);
    const held = new Set(await tx.keys.heldAccountSlots(address));
    for (let index = 0; index <= MAX_ACCOUNT_INDEX; index++) if (!held.has(index)) return index;
    throw new KeygateError(
      ErrorCode.KEY_LIMIT_REACHED,
      `address ${address} already has ${MAX_ACCOUNT_INDEX + 1} live API keys (accountIndex 0–${MAX_ACCOUNT_INDEX}); revoke one before creating another`,
    );
  }
}
