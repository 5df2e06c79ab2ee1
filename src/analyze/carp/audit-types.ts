// The --wordlist audit's targets and results, shared by the audit (wordlist.ts) and its worker
// pool (wordlist-pool.ts) without an import cycle between the two.

export interface AuditTarget {
  readonly message: Uint8Array;
  /** The advert's 20-byte md. */
  readonly md: Uint8Array;
}

export interface AuditHit {
  /** Index into the wordlist. */
  readonly index: number;
  /** Index into the targets. */
  readonly target: number;
}

export interface StreamHit extends AuditHit {
  readonly word: string;
}
export interface AuditResult { readonly hit: StreamHit | undefined; readonly words: number }
