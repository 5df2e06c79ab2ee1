// Dispatch tables: link type -> dissector, ethertype -> dissector, IP protocol -> dissector.
// Each row has a test (test/decode/dispatch.test.ts).

import type { Dissector } from './dissector.js';

/** Every dissector by name; Handoff.next names one of these. */
export const DISSECTORS: Readonly<Record<string, Dissector>> = {};

/** LINKTYPE_* -> dissector name. Some link types need a look at the bytes (18, 12/14). */
export function dissectorForLinktype(linktype: number, bytes: Uint8Array): string | undefined {
  void linktype;
  void bytes;
  return undefined;
}
