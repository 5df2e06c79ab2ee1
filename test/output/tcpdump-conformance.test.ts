// Conformance of the text lines with tcpdump on the public corpus (../shared/corpus/public,
// side files made with tcpdump 4.99 -nn -vvv, TZ=UTC): every frame carpdump prints as VRRP reads
// like tcpdump's VRRP line (tcpdump -vvv may add more at the end), and every CARP line carries
// the vhid, advbase, advskew and counter that `tcpdump -T carp` prints. Skipped with a reason
// when ../shared is missing outside CI; fails in CI.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { carpdump } from '../support/cli.js';
import { SHARED } from '../support/paths.js';
import { skipReason } from '../support/skip.js';

const corpus = path.join(SHARED, 'corpus/public');
const skip = skipReason({ paths: [corpus] });
const present = skip === undefined;

/** tcpdump -v output: one string per packet (continuation lines joined), keyed by time stamp. */
function tcpdumpPackets(file: string): Map<string, string[]> {
  const byTime = new Map<string, string[]>();
  let cur: string | undefined;
  let time = '';
  const flush = (): void => {
    if (cur === undefined) return;
    const list = byTime.get(time) ?? [];
    list.push(cur);
    byTime.set(time, list);
  };
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (/^\d\d:\d\d:\d\d\.\d+ /.test(line)) {
      flush();
      time = line.slice(0, line.indexOf(' '));
      cur = line;
    } else if (cur !== undefined && line.trim() !== '') {
      cur += ` ${line.trim()}`;
    }
  }
  flush();
  return byTime;
}

function carpdumpLines(capture: string): { time: string; text: string }[] {
  const r = carpdump(['-r', capture, '--color', 'never']);
  return r.stdout.split('\n').filter((l) => /^\d\d:\d\d:\d\d\.\d+ /.test(l)).map((l) => ({ time: l.slice(0, l.indexOf(' ')), text: l.slice(l.indexOf(' ') + 1) }));
}

const stripMarks = (s: string): string => s.replace(/( \[[^\]]*\])+$/, '');

const files = present ? readdirSync(corpus).filter((f) => /\.pcap$/.test(f) && existsSync(path.join(corpus, `${f}.tcpdump.txt`))) : [];

test('VRRP lines read like tcpdump', { skip }, () => {
  let compared = 0;
  for (const f of files) {
    const theirs = tcpdumpPackets(path.join(corpus, `${f}.tcpdump.txt`));
    for (const ours of carpdumpLines(path.join(corpus, f))) {
      if (!ours.text.includes(': VRRPv')) continue;
      const candidates = (theirs.get(ours.time) ?? [])
        .map((p) => /(\S+ > \S+: VRRPv.*)$/.exec(p)?.[1]?.replace(/, \(ttl \d+\)/, '')) // -v only: the TTL note
        .filter((x): x is string => x !== undefined);
      // libpcap refuses some records of the fuzz files (caplen > len) that carpdump reads.
      if (!theirs.has(ours.time)) continue;
      let mine = stripMarks(ours.text);
      // Cut short: tcpdump stops at its first unreadable field, carpdump at the layer's end;
      // compare up to the priority.
      if (/\[(malformed vrrp|\|vrrp)\]/.test(ours.text)) mine = mine.replace(/(, prio \d+).*$/, '$1');
      assert.ok(candidates.some((t) => t.startsWith(mine) || stripMarks(t).startsWith(mine)), `${f} ${ours.time}\n ours:    ${mine}\n tcpdump: ${candidates.join('\n          ')}`);
      compared++;
    }
  }
  assert.ok(compared >= 10, `compared ${compared} VRRP lines`);
});

test('CARP lines carry the fields tcpdump -T carp prints', { skip }, () => {
  let compared = 0;
  for (const f of files.filter((x) => existsSync(path.join(corpus, `${x}.tcpdump-Tcarp.txt`)))) {
    const theirs = tcpdumpPackets(path.join(corpus, `${f}.tcpdump-Tcarp.txt`));
    for (const ours of carpdumpLines(path.join(corpus, f))) {
      const m = / vhid (\d+) advbase (\d+) advskew (\d+) demote \d+ counter (\d+)/.exec(ours.text);
      if (!m) continue;
      const want = `vhid=${m[1]} advbase=${m[2]} advskew=${m[3]} `;
      const p = (theirs.get(ours.time) ?? []).find((x) => x.includes(want));
      assert.ok(p, `${f} ${ours.time}: tcpdump -T carp has no packet with ${want}`);
      assert.ok(p.includes(`counter=${m[4]}`), `${f} ${ours.time}: counter ${m[4]} in ${p}`);
      compared++;
    }
  }
  assert.ok(compared >= 3, `compared ${compared} CARP lines`);
});
