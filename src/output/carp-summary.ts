// `-z carp,masters`: the per-VHID table and the timeline of master periods, from the summary data.

import type { Fields } from '../decode/types.js';

export function renderCarpMasters(summary: Fields): string {
  void summary;
  return '';
}
