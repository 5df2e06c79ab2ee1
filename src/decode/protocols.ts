// The registry of every protocol's fields and annotations.

import { Registry } from './registry.js';

export const REGISTRY = new Registry().addAnnotations([
  { id: 'frame.unsupported_linktype', severity: 'note', summary: 'the link type is not decoded' },
  { id: 'carpdump.internal_error', severity: 'error', summary: 'a dissector failed unexpectedly (a carpdump bug: please report it with the frame)' },
]);
