// Makes the README's report screenshot from a sample:
//   npx tsc -p tsconfig.json && node dist/test/output/report/screenshot.js [OUT.png]
// (default samples/report.png). Runs carpdump on samples/multi-vhid.pcap with --report, opens the
// report in headless Chromium (network disabled) and shoots the timelines.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../../src/cli.js';
import { closeBrowser, openReport } from './browser.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const out = resolve(process.argv[2] ?? join(ROOT, 'samples/report.png'));
const dir = mkdtempSync(join(tmpdir(), 'carpdump-shot-'));
const html = join(dir, 'report.html');
const sink = { write: () => true };
process.chdir(ROOT); // the header shows the path as given: samples/multi-vhid.pcap
const status = await main(['-r', 'samples/multi-vhid.pcap', '--carp-pass', '*:carpsecret', '-q', '--utc', '--report', html],
  { stdout: sink, stderr: process.stderr, env: { TZ: 'UTC' } });
if (status !== 0) throw new Error(`carpdump exited ${status}`);
const r = await openReport(html, { width: 1000, height: 900 });
// from the timelines' heading: three VHIDs with their failovers
const top = await r.page.evaluate(() => {
  const h = [...document.querySelectorAll('h2')].find((e) => e.textContent?.startsWith('Who was master'));
  return Math.max(0, (h?.getBoundingClientRect().top ?? 0) + window.scrollY - 8);
});
await r.page.screenshot({ path: out, fullPage: true, clip: { x: 0, y: top, width: 1000, height: 800 } });
await r.close();
await closeBrowser();
rmSync(dir, { recursive: true, force: true });
process.stdout.write(`${out}\n`);
