// pfsync: every wire version (see ../../../shared/reference/pfsync.md). Exported to the dispatch
// tables: the dissectors by name ('pfsync' for IP protocol 240, 'pfsync-link' for LINKTYPE_PFSYNC)
// and the protocol definitions for the registry.

import type { Dissector } from '../dissector.js';
import type { ProtocolDef } from '../registry.js';

export const PFSYNC_DISSECTORS: Readonly<Record<string, Dissector>> = {};
export const PFSYNC_PROTOCOL_DEFS: readonly ProtocolDef[] = [];

/** LINKTYPE 18 is DLT_PFSYNC only in OpenBSD's files: true when the bytes look like pfsync. */
export function isPfsyncLinkFrame(bytes: Uint8Array): boolean {
  void bytes;
  return false;
}
