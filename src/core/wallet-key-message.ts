/**
 * The canonical messages a wallet personal_signs to register or revoke an Ed25519 API key (spec 003):
 * JSON with keys in exactly this order, no whitespace, no trailing newline.
 */
export function createKeyMessage(apiWalletName: string, apiWalletPublicKey: string, validUntil: number): string {
  return JSON.stringify({ apiWalletName, apiWalletPublicKey, validUntil });
}

/** The revoke message: the create message without validUntil. */
export function revokeKeyMessage(apiWalletName: string, apiWalletPublicKey: string): string {
  return JSON.stringify({ apiWalletName, apiWalletPublicKey });
}
