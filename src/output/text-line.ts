// The default text line of a frame: `<time> <src> > <dst>: <protocol summary> <marks>`.
// The summary comes from the renderer registered for the innermost layer that has one
// (LINE_RENDERERS); frames without one get tcpdump's generic forms.

import type { AnalyzedFrame } from '../analyze/types.js';
import type { DecodedFrame, Layer, ProtoId } from '../decode/types.js';
import type { Palette } from './color.js';
import { renderPfsyncLine } from './pfsync-text.js';
import { problemMarks, textOf, type LineContext, type LineRenderer } from './lines/common.js';
import { numOf } from '../decode/fields.js';
import { renderCarpLine } from './lines/carp.js';
import { renderVrrpLine } from './lines/vrrp.js';
import { renderAhPrefix, renderArpLine, renderEspLine, renderIcmpv6Line } from './lines/link.js';

export const LINE_RENDERERS: Partial<Record<ProtoId, LineRenderer>> = {
  carp: renderCarpLine,
  vrrp: renderVrrpLine,
  pfsync: (ctx) => renderPfsyncLine(ctx.layer) + problemMarks(ctx),
  arp: renderArpLine,
  icmpv6: renderIcmpv6Line,
  esp: renderEspLine,
  ah: renderAhPrefix,
};

/** Layers whose line is a prefix of the next layer's when that one has a renderer too. */
const PREFIX_LAYERS: ReadonlySet<string> = new Set(['ah']);

const IP_LAYERS: ReadonlySet<string> = new Set(['ipv4', 'ipv6']);

/** Source and destination of the innermost IP layer before `upTo`. */
function addresses(frame: DecodedFrame, upTo: number): { src: string; dst: string; layer: Layer } | undefined {
  for (let i = Math.min(upTo, frame.layers.length) - 1; i >= 0; i--) {
    const l = frame.layers[i]!;
    if (!IP_LAYERS.has(l.proto)) continue;
    const src = textOf(l.fields['ip.src'] ?? l.fields['ipv6.src']);
    const dst = textOf(l.fields['ip.dst'] ?? l.fields['ipv6.dst']);
    if (src !== undefined && dst !== undefined) return { src, dst, layer: l };
    return undefined;
  }
  return undefined;
}

function fallback(frame: AnalyzedFrame, palette: Palette): string {
  const len = frame.raw.originalLength;
  const ip = addresses(frame, frame.layers.length);
  const last = frame.layers[frame.layers.length - 1];
  const marks = last ? problemMarks({ frame, layer: last, palette }) : '';
  if (ip) {
    const proto = numOf(ip.layer.fields['ip.proto'] ?? ip.layer.fields['ipv6.nxt']);
    return `${ip.src} > ${ip.dst}: ip-proto-${proto ?? '?'}, length ${len}${marks}`;
  }
  for (const l of frame.layers) {
    const src = textOf(l.fields[`${l.proto}.src`]);
    const dst = textOf(l.fields[`${l.proto}.dst`]);
    if (src !== undefined && dst !== undefined) {
      const type = numOf(l.fields[`${l.proto}.type`]);
      const et = type !== undefined ? `, ethertype 0x${type.toString(16).padStart(4, '0')}` : '';
      return `${src} > ${dst}${et}, length ${len}${marks}`;
    }
  }
  return `link type ${frame.raw.linktype}, length ${len}${marks}`;
}

/** The frame's one-line summary without the time stamp. */
export function renderFrameSummary(frame: AnalyzedFrame, palette: Palette): string {
  for (let i = frame.layers.length - 1; i >= 0; i--) {
    const layer = frame.layers[i]!;
    const render = LINE_RENDERERS[layer.proto];
    if (!render) continue;
    const ctx: LineContext = { frame, layer, palette };
    let prefix = '';
    // AH in front of a decoded protocol: `AH(spi=...,seq=...): pfsync v6 ...`.
    for (let j = i - 1; j >= 0 && PREFIX_LAYERS.has(frame.layers[j]!.proto); j--) {
      prefix = `${LINE_RENDERERS[frame.layers[j]!.proto]!({ frame, layer: frame.layers[j]!, palette })}: ${prefix}`;
    }
    const ip = addresses(frame, i);
    if (ip) {
      // Problems of the IP layer itself (TTL, header checksum) go on the same line.
      const ipMarks = problemMarks({ frame, layer: ip.layer, palette }, ip.layer.proto === 'ipv6' ? 'ipv6 ' : 'ip ');
      return `${ip.src} > ${ip.dst}: ${prefix}${render(ctx)}${ipMarks}`;
    }
    return prefix + render(ctx);
  }
  return fallback(frame, palette);
}
