// carp.passphrase_mismatch: a passphrase is known for a VHID and a sender's adverts do not verify
// (or verify only another way), with the cause the evidence points to (auth.ts VerifyResult.cause;
// ../shared/reference/carp.md section 3 lists the variants).

import type { Finding } from '../types.js';
import type { AdvertFacts } from './facts.js';
import type { VerifyResult } from './auth.js';
import { makeFinding } from './finding.js';

export function passphraseMismatch(ad: AdvertFacts, r: VerifyResult): Finding {
  const cause = r.cause ?? 'passphrase';
  const expected = [...r.addresses];
  const verifiesWith = r.verifiesWith ? [...r.verifiesWith] : undefined;
  const missing = verifiesWith ? verifiesWith.filter((a) => !expected.includes(a)) : [];
  const extra = verifiesWith ? expected.filter((a) => !verifiesWith.includes(a)) : [];
  let why: string;
  if (cause === 'addresses') {
    why = `they verify with the passphrase and ${verifiesWith!.join(', ')} instead of ${expected.join(', ') || 'the known addresses'}` +
      `${missing.length ? ` (missing: ${missing.join(', ')})` : ''}${extra.length ? ` (extra: ${extra.join(', ')})` : ''}: a wrong or incomplete address list`;
  } else if (cause === 'variant') {
    why = `they verify only when hashed as '${r.variant ?? '?'}', the VHID's other adverts as '${r.vhidVariant ?? '?'}' (lladdr, link-local or configuration-order difference): receivers on the other variant drop them`;
  } else if (expected.length > 0 && r.status === 'bad') {
    why = `no candidate address set verifies them with the passphrase: the node uses another passphrase (or the adverts are forged)`;
  } else {
    why = `no candidate address set verifies them with the passphrase${r.searched ? ` (searched ${r.searched})` : ''}: most likely a wrong passphrase`;
  }
  return makeFinding('carp.passphrase_mismatch', ad.ts, [ad.frame],
    `VHID ${ad.vhid} (${ad.af}): adverts from ${ad.src} ${r.status === 'good' ? 'verify with a different HMAC variant' : 'do not verify'}: ${why}`,
    {
      vhid: ad.vhid, af: ad.af, senders: [ad.src], likely_cause: cause,
      ...(cause === 'addresses' ? { addresses: expected, verifies_with: verifiesWith ?? [], missing, extra } : {}),
      ...(cause === 'variant' ? { variant: r.variant ?? null, vhid_variant: r.vhidVariant ?? null } : {}),
    });
}
