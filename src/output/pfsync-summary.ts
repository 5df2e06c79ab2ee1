// `-z pfsync,states`: peers, creator ids, flavour, bulk updates, messages, states, findings.

import type { Fields } from '../decode/types.js';

export function renderPfsyncStates(summary: Fields): string {
  void summary;
  return '';
}
