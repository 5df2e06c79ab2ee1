// Test stand-in for what the pipeline does with the values an analyzer derives: they are kept
// beside the frame (the decoded frame is never written to) and read back per frame.

import type { AnalyzedFrame, DeriveSink } from '../../src/analyze/types.js';
import type { DecodedFrame, Fields } from '../../src/decode/types.js';

const derivedByFrame = new WeakMap<DecodedFrame, Fields>();

/** The derive sink for `frame`, as the pipeline gives it to the analyzers (read back with derivedOf). */
export function deriveFor(frame: DecodedFrame): DeriveSink {
  return (id, value) => {
    let d = derivedByFrame.get(frame);
    if (!d) { d = {}; derivedByFrame.set(frame, d); }
    d[id] = value;
  };
}

/** What the analyzers derived for `frame` through deriveFor (empty when nothing). */
export function derivedOf(frame: DecodedFrame): Readonly<Fields> {
  return derivedByFrame.get(frame) ?? {};
}

/** The frame with its derived values, as renderers and the -Y filter receive it. */
export function analyzed(frame: DecodedFrame): AnalyzedFrame {
  return { ...frame, derived: derivedOf(frame) };
}

/** For analyzers that derive nothing (pfsync, VRRP, takeover): the values are not looked at. */
export const IGNORE_DERIVED: DeriveSink = () => undefined;
