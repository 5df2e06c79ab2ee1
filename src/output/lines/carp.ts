// One-line CARP summary (SPEC.md):
//   CARPv2 advertise vhid 7 advbase 1 advskew 0 demote 0 counter 768664214548429678 [hmac ok]
// Only the fields that were decoded are printed (a truncated advert ends early, then [|carp]).

import { asLayerOf, fieldNum, type FieldIdOf } from '../../decode/fields.js';
import { problemMarks, textOf, type LineContext } from './common.js';

export function renderCarpLine(ctx: LineContext): string {
  const carp = asLayerOf(ctx.layer, 'carp');
  const f = carp?.fields ?? {};
  const d = ctx.frame.derived;
  const version = fieldNum(carp, 'carp.version');
  const type = fieldNum(carp, 'carp.type');
  let s = `CARPv${version ?? '?'}`;
  if (type !== undefined) s += type === 1 ? ' advertise' : ` type ${type}`;
  const parts: [string, FieldIdOf<'carp'>][] = [
    ['vhid', 'carp.vhid'], ['advbase', 'carp.adver_int'], ['advskew', 'carp.advskew'],
    ['demote', 'carp.demotion'], ['counter', 'carp.counter'],
  ];
  for (const [label, id] of parts) {
    const v = textOf(f[id]);
    if (v !== undefined) s += ` ${label} ${v}`;
  }
  if (fieldNum(carp, 'carp.adver_int') === 255 && fieldNum(carp, 'carp.advskew') === 255) s += ' [bow-out]';
  const hmac = d['carp.hmac.status'] ?? f['carp.hmac.status'];
  if (hmac === 'good') s += ` ${ctx.palette.good('[hmac ok]')}`;
  else if (hmac === 'bad') s += ` ${ctx.palette.bad('[hmac bad]')}`;
  else if (hmac === 'unverified' && d['carp.hmac.key'] === undefined && hasPassphrase(d['carp.hmac.reason'])) {
    // A passphrase was given but the advert could not be checked (addresses unknown): say so.
    s += ' [hmac unverified]';
  }
  return s + problemMarks(ctx);
}

/** True unless the analyzer's reason says no passphrase was known for the VHID. */
function hasPassphrase(reason: unknown): boolean {
  return typeof reason === 'string' && !reason.startsWith('no passphrase');
}
