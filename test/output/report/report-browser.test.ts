// The HTML report in a real browser: Debian's chromium, headless, network disabled (every request
// but the report itself aborted). For real recordings in samples/ (failover, preemption, split
// brain, several VHIDs, pfsync) carpdump writes the jsonl output and the report in one run; the
// rendered DOM must show the same master periods, causes and findings as the jsonl. A screenshot
// is saved in the test's temporary directory and must not be blank. VRRP timelines are tested
// with scripted vrrp.master_changed / vrrp.split_brain findings (the VRRP election tracker is
// another module's work).

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../../src/cli.js';
import { createSeriesAnalyzer } from '../../../src/analyze/series/index.js';
import type { Finding } from '../../../src/analyze/types.js';
import { buildReport } from '../../../src/output/report/index.js';
import { skipReason } from '../../support/skip.js';
import { CHROMIUM, closeBrowser, openReport, type OpenReport } from './browser.js';
import { bulkEnd, bulkRequest, bulkStart, data, failover, state, sync, A, ACT, writeCapture } from '../../support/takeover-capture.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const TMP = mkdtempSync(join(tmpdir(), 'carpdump-report-test-'));
const skip = skipReason({ paths: [CHROMIUM] }); // apt-get install chromium
after(() => closeBrowser());

type Obj = Record<string, unknown>;

async function runCarpdump(args: string[], html: string): Promise<Obj[]> {
  let out = '';
  const status = await main([...args, '-q', '-T', 'jsonl', '--report', html], {
    stdout: { write: (s: string) => { out += s; return true; } }, stderr: { write: () => true }, env: { TZ: 'UTC' },
  });
  assert.equal(status, 0);
  return out.trim().split('\n').map((l) => JSON.parse(l) as Obj);
}

/** Distinct colours of a PNG, counted by the browser itself (canvas). */
async function distinctColours(r: OpenReport, png: Buffer): Promise<number> {
  const page = await r.context.newPage();
  const n = await page.evaluate(async (b64: string) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width; c.height = img.height;
    const ctx = c.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    const seen = new Set<number>();
    for (let i = 0; i < d.length; i += 4) seen.add((d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!);
    return seen.size;
  }, png.toString('base64'));
  await page.close();
  return n;
}

const SAMPLES: { name: string; args: string[]; expect: string[] }[] = [
  { name: 'ucarp-failover', args: ['--carp-pass', '7:carpsecret'], expect: ['master_timeout'] },
  { name: 'ucarp-preempt', args: ['--carp-pass', '8:carpsecret'], expect: ['master_timeout', 'preempted'] },
  { name: 'ucarp-split-brain', args: ['--carp-pass', '5:secret-one'], expect: ['split'] },
  { name: 'multi-vhid', args: ['--carp-pass', '*:carpsecret'], expect: ['master_timeout'] },
  { name: 'pfsync-session', args: [], expect: ['pfsync'] },
];

for (const s of SAMPLES) {
  test(`report of samples/${s.name}.pcap matches its jsonl output`, { skip }, async () => {
    const html = join(TMP, `${s.name}.html`);
    const lines = await runCarpdump(['-r', join(ROOT, 'samples', `${s.name}.pcap`), ...s.args], html);
    const summary = lines.find((l) => l['type'] === 'summary')!;
    const findings = lines.filter((l) => l['type'] === 'finding');
    const timeline = ((summary['carp'] as Obj | undefined)?.['timeline'] ?? []) as Obj[];
    assert.ok(statSync(html).size < 2_000_000);
    const r = await openReport(html);
    try {
      const dom = await r.page.evaluate(() => ({
        periods: [...document.querySelectorAll<HTMLElement | SVGElement>('[data-vhid]')].map((e) => ({ ...e.dataset })),
        markers: [...document.querySelectorAll<SVGElement>('[data-finding-id]')].map((e) => ({ id: e.dataset['findingId'], frames: e.dataset['frames'] })),
        rows: [...document.querySelectorAll<HTMLElement>('tr[data-id]')].map((e) => ({ id: e.dataset['id'], ts: e.dataset['ts'], frames: e.dataset['frames'], text: e.textContent })),
        edges: document.querySelectorAll('line.edge').length,
        causes: [...document.querySelectorAll<SVGElement>('text.cause')].map((e) => e.textContent!.split(' ')[0]),
        splits: document.querySelectorAll('rect.split').length,
        creators: [...document.querySelectorAll<SVGElement>('[data-creatorid]')].map((e) => e.dataset['creatorid']),
        bulks: [...document.querySelectorAll<SVGElement>('rect.bulk')].map((e) => e.dataset['bulkState']),
        visible: (document.querySelector('rect.period, rect.bulk')?.getBoundingClientRect().width ?? 0) > 0,
      }));
      assert.deepEqual(r.blocked, [], 'the report fetched nothing');
      // master periods: one element each, with the contract's attributes
      const want = timeline.map((p) => ({ vhid: String(p['vhid']), af: p['af'], master: p['master'], start: p['from'], end: p['to'] ?? '', cause: p['cause'] }));
      const got = dom.periods.map((p) => ({ vhid: p['vhid'], af: p['af'], master: p['master'], start: p['start'], end: p['end'], cause: p['cause'] }));
      const key = (x: Obj): string => JSON.stringify(x);
      assert.deepEqual(got.map(key).sort(), want.map(key).sort());
      assert.equal(dom.edges, timeline.filter((p) => p['cause'] !== 'first_seen').length);
      for (const c of dom.causes) assert.ok(timeline.some((p) => p['cause'] === c));
      // every finding in the table, in order; every CARP and pfsync finding as a marker
      assert.deepEqual(dom.rows.map((x) => [x.id, x.ts, x.frames]), findings.map((f) => [f['id'], f['ts'], (f['frames'] as number[]).join(',')]));
      for (const [i, row] of dom.rows.entries()) assert.ok(row.text!.includes(String(findings[i]!['message'])));
      const charted = findings.filter((f) => (String(f['id']).startsWith('carp.') && typeof f['vhid'] === 'number') || String(f['id']).startsWith('pfsync.'));
      assert.deepEqual(dom.markers.map(key).sort(), charted.map((f) => key({ id: f['id'], frames: (f['frames'] as number[]).join(',') })).sort());
      assert.ok(dom.visible, 'bands are laid out');
      if (s.expect.includes('split')) {
        const n = findings.filter((f) => f['id'] === 'carp.split_brain').length;
        assert.ok(n > 0);
        assert.equal(dom.splits, n);
      }
      for (const c of s.expect.filter((x) => x !== 'split' && x !== 'pfsync')) assert.ok(dom.periods.some((p) => p['cause'] === c), `a ${c} period`);
      if (s.expect.includes('pfsync')) {
        const by = ((summary['pfsync'] as Obj)['states_by_creator'] ?? {}) as Obj;
        for (const c of Object.keys(by)) assert.ok(dom.creators.includes(c), `series of creator ${c}`);
        assert.deepEqual(dom.bulks, (((summary['pfsync'] as Obj)['bulk_updates'] ?? []) as Obj[]).map((b) => (b['ended'] === null ? 'incomplete' : 'completed')));
      }
      const shot = join(TMP, `${s.name}.png`);
      const png = await r.page.screenshot({ path: shot, fullPage: true });
      assert.ok(png.length > 10_000, `screenshot ${shot} is ${png.length} bytes`);
      assert.ok(await distinctColours(r, png) >= 8, 'the screenshot is not blank');
    } finally {
      await r.close();
    }
  });
}

test('the report follows prefers-color-scheme: dark', { skip }, async () => {
  const html = join(TMP, 'dark.html');
  await runCarpdump(['-r', join(ROOT, 'samples/ucarp-failover.pcap'), '--carp-pass', '7:carpsecret'], html);
  const lum = async (dark: boolean): Promise<number[]> => {
    const r = await openReport(html, { dark });
    try {
      return await r.page.evaluate(() => {
        const rgb = (c: string): number => { const m = c.match(/\d+/g)!.map(Number); return (0.2126 * m[0]! + 0.7152 * m[1]! + 0.0722 * m[2]!) / 255; };
        return [rgb(getComputedStyle(document.body).backgroundColor), rgb(getComputedStyle(document.body).color)];
      });
    } finally { await r.close(); }
  };
  const [lightBg, lightFg] = await lum(false);
  const [darkBg, darkFg] = await lum(true);
  assert.ok(lightBg! > 0.9 && lightFg! < 0.3, `light ${lightBg}/${lightFg}`);
  assert.ok(darkBg! < 0.2 && darkFg! > 0.7, `dark ${darkBg}/${darkFg}`);
});

test('VRRP timelines are drawn from vrrp.master_changed findings', { skip }, async () => {
  const at = (s: number): { sec: number; nsec: number; digits: number } => ({ sec: 1_700_000_000 + s, nsec: 0, digits: 6 });
  const change = (s: number, src: string, previous: string | null, cause: string, frame: number): Finding => ({
    id: 'vrrp.master_changed' as Finding['id'], severity: 'note', ts: at(s), frames: [frame], message: `VRID 51: ${src} is master (${cause})`,
    details: { vrid: 51, version: 3, af: 'ipv4', src, previous, cause },
  });
  const findings: Finding[] = [
    change(0, '10.0.0.1', null, 'first_seen', 1),
    change(10, '10.0.0.2', '10.0.0.1', 'master_timeout', 12),
    { id: 'vrrp.split_brain' as Finding['id'], severity: 'error', ts: at(15), frames: [14, 16], message: 'VRID 51: both master', details: { vrid: 51, af: 'ipv4', src: '10.0.0.1', master: '10.0.0.2', concurrent_for: 3 } },
    change(20, '10.0.0.1', '10.0.0.2', 'preempted', 25),
  ];
  const series = createSeriesAnalyzer();
  series.onTick(at(0), () => {});
  series.finish(at(30), () => {});
  const html = join(TMP, 'vrrp.html');
  writeFileSync(html, buildReport({
    source: 'scripted', totals: { frames: 30, shown: 30, findings: {} }, summary: {}, findings, findingsDropped: 0,
    series: { ...series.series(), first: at(0) }, timestampStyle: 'e', utc: true, version: 'test',
  }));
  const r = await openReport(html);
  try {
    const dom = await r.page.evaluate(() => ({
      periods: [...document.querySelectorAll<SVGElement>('[data-vrid]')].map((e) => ({ ...e.dataset })),
      splits: document.querySelectorAll('rect.split').length,
      markers: [...document.querySelectorAll<SVGElement>('[data-finding-id]')].map((e) => e.dataset['frames']),
    }));
    assert.deepEqual(dom.periods.map((p) => [p['vrid'], p['af'], p['master'], p['start'], p['end'], p['cause']]), [
      ['51', 'ipv4', '10.0.0.1', '1700000000.000000', '1700000010.000000', 'first_seen'],
      ['51', 'ipv4', '10.0.0.2', '1700000010.000000', '1700000020.000000', 'master_timeout'],
      ['51', 'ipv4', '10.0.0.1', '1700000020.000000', '', 'preempted'],
    ]);
    assert.equal(dom.splits, 1);
    assert.deepEqual(dom.markers, ['1', '12', '14,16', '25']);
  } finally {
    await r.close();
  }
});

test('the report is one file that loads nothing: no script, no external reference', { skip }, () => {
  const html = readFileSync(join(TMP, 'multi-vhid.html'), 'utf8');
  assert.doesNotMatch(html, /<script|<link|src="http|href="http|@import|url\(http/i);
});

test('an unwritable --report path is a one-line error before the capture is read', async () => {
  let err = '';
  const status = await main(['-r', join(ROOT, 'samples/ucarp-failover.pcap'), '-q', '--report', join(TMP, 'no/such/dir/r.html')], {
    stdout: { write: () => true }, stderr: { write: (s: string) => { err += s; return true; } }, env: {},
  });
  assert.equal(status, 1);
  assert.equal(err, `carpdump: cannot write --report ${join(TMP, 'no/such/dir/r.html')}: no such directory\n`);
});

test('the report draws the takeover verdict at the master change\'s edge', { skip }, async () => {
  const pcap = join(TMP, 'takeover.pcap');
  writeCapture(pcap, [
    ...failover(), bulkRequest(0.2), bulkStart(0.3), bulkEnd(0.5),
    data(5, '198.51.100.7', '203.0.113.10'), sync(A, 5.1, [{ action: ACT.INS, messages: [state(1n, A, '198.51.100.7', '203.0.113.10')] }]),
    data(8, '198.51.100.9', '203.0.113.10'), // never synced
  ]);
  const html = join(TMP, 'takeover.html');
  // -A: the data-side frames are decoded, so the flows are visible
  const lines = await runCarpdump(['-r', pcap, '-A'], html);
  const f = lines.filter((l) => l['id'] === 'carp.takeover_unsynced');
  assert.equal(f.length, 1);
  const takeovers = (lines.find((l) => l['type'] === 'summary')!['takeovers'] ?? []) as Obj[];
  assert.equal(takeovers.length, 1);
  const r = await openReport(html);
  try {
    const dom = await r.page.evaluate(() => ({
      bad: [...document.querySelectorAll('line.edge.bad')].map((e) => e.textContent),
      label: [...document.querySelectorAll<SVGElement>('text.cause')].map((e) => e.textContent),
      marker: [...document.querySelectorAll<SVGElement>('[data-finding-id="carp.takeover_unsynced"]')].map((e) => e.dataset['frames']),
      list: [...document.querySelectorAll('ul.takeovers li')].map((e) => e.textContent),
    }));
    assert.equal(dom.bad.length, 1);
    assert.match(dom.bad[0]!, /unsynced flows 1/);
    assert.ok(dom.label.some((t) => /unsynced/.test(t ?? '')));
    assert.deepEqual(dom.marker, [(f[0]!['frames'] as number[]).join(',')]);
    assert.equal(dom.list.length, 1);
    assert.match(dom.list[0]!, /bulk update completed; unsynced flows 1/);
  } finally {
    await r.close();
  }
});
