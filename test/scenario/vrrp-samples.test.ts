// VRRP elections on the project's own keepalived recordings (samples/, made by record.sh
// scenarios e, g, h, i and d). The expectations were written into samples/README.md before the
// recordings g, h, i were made; they are asserted here on the committed files.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { carpdumpOk as carpdump } from '../support/cli.js';
import { SAMPLES } from '../support/paths.js';
import { readCapture } from './carp-helpers.js';
import { createVrrpAnalyzer } from '../../src/analyze/vrrp/index.js';
import { createCarpAnalyzer } from '../../src/analyze/carp/index.js';
import { vrrpOf } from '../../src/analyze/facts.js';
import type { Analyzer, Finding } from '../../src/analyze/types.js';
import type { DecodedFrame, Fields } from '../../src/decode/types.js';
import { deriveFor } from '../support/derived.js';

interface Run { frames: DecodedFrame[]; findings: Finding[]; summary: Fields }

function run(name: string, analyzers: Analyzer[] = [createVrrpAnalyzer()]): Run {
  const frames = readCapture(path.join(SAMPLES, name));
  const findings: Finding[] = [];
  for (const f of frames) for (const a of analyzers) a.onFrame(f, (x) => findings.push(x), deriveFor(f));
  const last = frames[frames.length - 1]!.raw;
  for (const a of analyzers) a.finish({ sec: last.tsSec, nsec: last.tsNsec, digits: last.tsDigits }, (x) => findings.push(x));
  return { frames, findings, summary: Object.assign({}, ...analyzers.map((a) => a.summary())) as Fields };
}

/** [src, cause, frame] of the vrrp.master_changed findings of one VRID. */
function story(r: Run, vrid: number): Array<[unknown, unknown, unknown]> {
  return r.findings.filter((f) => f.id === 'vrrp.master_changed' && f.details['vrid'] === vrid)
    .map((f) => [f.details['src'], f.details['cause'], f.frames.at(-1)]);
}
/** Frame number of the first advert of `src` for `vrid` with a priority in [min, max]. */
function firstAdvert(r: Run, vrid: number, src: string, min = 1, max = 255): number {
  const f = r.frames.find((x) => { const v = vrrpOf(x); return v?.vrid === vrid && v.src === src && v.priority! >= min && v.priority! <= max; });
  assert.ok(f, `no advert of ${src} for vrid ${vrid}`);
  return f.raw.number;
}
function vridSummary(r: Run, vrid: number): Fields {
  const v = ((r.summary['vrrp'] as Fields)['vrids'] as Fields[]).find((x) => x['vrid'] === vrid);
  assert.ok(v, `no summary for vrid ${vrid}`);
  return v;
}
const noProblems = (r: Run): void => {
  for (const id of ['vrrp.split_brain', 'vrrp.late_advert', 'vrrp.vrid_cap']) assert.deepEqual(r.findings.filter((f) => f.id === id).map((f) => f.message), [], id);
};

test('keepalived-kill: master killed, the backup takes over after its master-down interval (v2 IPv4, v3 IPv6)', () => {
  const r = run('keepalived-kill.pcap');
  for (const [vrid, a, b, version, af] of [[61, '10.77.0.1', '10.77.0.2', 2, 'ipv4'], [62, 'fe80::ff:fe77:1', 'fe80::ff:fe77:2', 3, 'ipv6']] as const) {
    assert.deepEqual(story(r, vrid), [[a, 'first_seen', firstAdvert(r, vrid, a)], [b, 'master_timeout', firstAdvert(r, vrid, b)]]);
    const c = r.findings.filter((f) => f.id === 'vrrp.master_changed' && f.details['vrid'] === vrid)[1]!;
    assert.equal(c.details['version'], version);
    assert.equal(c.details['af'], af);
    assert.equal(c.details['previous'], a);
    assert.equal(c.details['master_down'], 3.609);
    const silent = c.details['master_silent_for'] as number;
    assert.ok(silent >= 3.5 && silent < 4.5, `silent ${silent}`);
    const v = vridSummary(r, vrid);
    assert.deepEqual([v['master'], v['priority'], v['transitions'], v['backups'], v['resigned']], [b, 100, 1, [a], false]);
  }
  assert.equal(r.frames.filter((f) => vrrpOf(f)?.priority === 0).length, 0);
  noProblems(r);
});

test('keepalived-resign: priority 0 on SIGTERM, the backup takes over after its skew time (v2 1 s, v3 200 cs)', () => {
  const r = run('keepalived-resign.pcap');
  for (const [vrid, skew] of [[66, 156 / 256], [67, (156 * 2) / 256]] as const) {
    const zero = firstAdvert(r, vrid, '10.77.0.1', 0, 0);
    assert.deepEqual(story(r, vrid), [['10.77.0.1', 'first_seen', firstAdvert(r, vrid, '10.77.0.1')], ['10.77.0.2', 'resign', firstAdvert(r, vrid, '10.77.0.2')]]);
    const c = r.findings.filter((f) => f.id === 'vrrp.master_changed' && f.details['vrid'] === vrid)[1]!;
    assert.equal(c.frames[0], zero);
    const after = c.details['master_silent_for'] as number;
    assert.ok(after >= skew && after < skew + 0.5, `vrid ${vrid}: ${after} s after priority 0, skew ${skew}`);
    assert.ok(after < (c.details['master_down'] as number) / 2);
  }
  assert.equal(vridSummary(r, 67)['interval'], 2);
  assert.equal(vridSummary(r, 67)['version'], 3);
  noProblems(r);
});

test('keepalived-preempt: killed, master_timeout, then the priority-150 node comes back and preempts (v3 IPv4, IPv6)', () => {
  const r = run('keepalived-preempt.pcap');
  for (const [vrid, a, b] of [[64, '10.77.0.1', '10.77.0.2'], [65, 'fe80::ff:fe77:1', 'fe80::ff:fe77:2']] as const) {
    const s = story(r, vrid);
    assert.deepEqual(s.map((x) => x.slice(0, 2)), [[a, 'first_seen'], [b, 'master_timeout'], [a, 'preempted']]);
    assert.equal(s[1]![2], firstAdvert(r, vrid, b));
    const pre = r.findings.filter((f) => f.id === 'vrrp.master_changed' && f.details['vrid'] === vrid)[2]!;
    assert.equal(pre.details['previous'], b);
    assert.equal(pre.details['previous_priority'], 100);
    assert.equal(pre.details['priority'], 150);
    const v = vridSummary(r, vrid);
    assert.deepEqual([v['master'], v['priority'], v['transitions']], [a, 150, 2]);
    // b sends at most one more advert after a's first one
    const later = r.frames.filter((f) => { const x = vrrpOf(f); return x?.vrid === vrid && x.src === b && f.raw.number > (s[2]![2] as number); });
    assert.ok(later.length <= 1);
  }
  noProblems(r);
});

test('keepalived-vrrp: all four VRIDs resign from a to b; carp-vrrp-conflict: a resign nobody answers, and the CARP conflict still reported', () => {
  const r = run('keepalived-vrrp.pcap');
  for (const vrid of [51, 52, 53, 54]) assert.deepEqual(story(r, vrid).map((x) => x[1]), ['first_seen', 'resign']);
  noProblems(r);
  const c = run('carp-vrrp-conflict.pcap', [createCarpAnalyzer({ passphrases: [{ vhid: 9, passphrase: 'carpsecret' }], vips: new Map(), showSecrets: false }), createVrrpAnalyzer()]);
  assert.deepEqual(story(c, 9), [['10.77.0.3', 'first_seen', 3]]);
  const v = vridSummary(c, 9);
  assert.deepEqual([v['master'], v['resigned'], v['transitions']], ['10.77.0.3', true, 0]);
  const conflict = c.findings.filter((f) => f.id === 'carp.vhid_conflict');
  assert.deepEqual(conflict.map((f) => [f.details['vhid'], f.details['src'], f.frames.at(-1)]), [[9, '10.77.0.3', 3]]);
  // keepalived re-arms its advert timer on every CARP advert it drops (README): its adverts come late
  assert.ok(c.findings.some((f) => f.id === 'vrrp.late_advert' && f.details['vrid'] === 9));
});


test('CLI: -z vrrp,masters (table and timeline in the -t style) and jsonl tell the same story', () => {
  const file = path.join(SAMPLES, 'keepalived-preempt.pcap');
  const lines = carpdump(['-r', file, '-q', '-T', 'jsonl']).split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
  const changes = lines.filter((o) => o['type'] === 'finding' && o['id'] === 'vrrp.master_changed');
  assert.deepEqual(changes.map((o) => [o['vrid'], o['cause']]), [[64, 'first_seen'], [65, 'first_seen'], [64, 'master_timeout'], [65, 'master_timeout'], [64, 'preempted'], [65, 'preempted']]);
  for (const o of changes) for (const k of ['vrid', 'version', 'af', 'src', 'previous', 'cause']) assert.ok(k in o, k);
  const summary = lines.find((o) => o['type'] === 'summary')!;
  const vrids = (summary['vrrp'] as Record<string, unknown>)['vrids'] as Fields[];
  const timeline = (summary['vrrp'] as Record<string, unknown>)['timeline'] as Fields[];
  for (const style of ['e', 'a'] as const) {
    const text = carpdump(['-r', file, '-q', '-t', style, '--utc', '-z', 'vrrp,masters']);
    const time = (epoch: unknown): string => {
      const [s, frac] = String(epoch).split('.');
      return style === 'e' ? String(epoch) : `${new Date(Number(s) * 1000).toISOString().slice(11, 19)}.${frac}`;
    };
    assert.match(text, /^VRRP masters$/m);
    for (const v of vrids) {
      const row = new RegExp(`^${String(v['vrid'])}\\s+${String(v['af'])}\\s+3\\s+${String(v['master']).replace(/\./g, '\\.')}\\s+${time(v['since']).replace('.', '\\.')}\\s+2\\s+150\\s+1 s\\s+${String(v['backups']).replace(/\./g, '\\.')}$`, 'm');
      assert.match(text, row);
    }
    const periods = text.slice(text.indexOf('Master periods')).split('\n').filter((l) => l.startsWith('VRID'));
    assert.equal(periods.length, timeline.length);
    periods.forEach((l, i) => {
      const p = timeline[i]!;
      assert.ok(l.includes(`${time(p['from'])} -> ${p['to'] === null ? 'end' : time(p['to'])}`), l);
      assert.ok(l.endsWith(String(p['cause'])), l);
    });
  }
});
