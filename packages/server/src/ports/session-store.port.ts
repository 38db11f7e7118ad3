/**
 * Signed-out workbench sessions. The session cookie is stateless (an HMAC over a random id and its
 * expiry), so without this list a copy of a cookie taken before sign-out would keep working until
 * it expires. Only signed-out ids are stored, each until its own expiry: no session table.
 */
export interface SessionRevocations {
  /** Marks `sid` signed out; it may be forgotten after `expiresAt` (epoch ms). Idempotent. */
  revoke(sid: string, expiresAt: number, now: number): Promise<void>;
  isRevoked(sid: string): Promise<boolean>;
}
