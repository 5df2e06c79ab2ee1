// A real Prometheus server (Debian's `prometheus` package) for the live metrics test, run inside
// a lab namespace: generated config scraping one target every second, a temporary storage
// path, the web API on 127.0.0.1 only (a free port of that namespace). HTTP requests to it and
// to carpdump's /metrics are made from a node child inside the namespace, since loopback there
// is not the test's loopback. close() stops it and deletes its directory.

import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Lab, SpawnedProcess } from '../netns/lab.js';

/** The README's alert rules: the fenced block that starts with "# carpdump-rules.yml". */
export function readmeAlertRules(readme: string): string {
  const m = /```yaml\n# carpdump-rules\.yml\n([\s\S]*?)```/.exec(readme);
  if (!m?.[1]) throw new Error('README.md has no carpdump-rules.yml block');
  return m[1];
}

/** A free TCP port on 127.0.0.1 of namespace NS. */
export function freePort(ns: string): number {
  const script = "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})";
  return Number(execFileSync('ip', ['netns', 'exec', ns, process.execPath, '-e', script], { encoding: 'utf8' }).trim());
}

/** GET URL from inside namespace NS; the body (throws on a non-2xx status). */
export function httpGet(ns: string, url: string): string {
  const script = "fetch(process.argv[1]).then(async(r)=>{const t=await r.text();if(!r.ok){console.error(r.status+' '+t);process.exit(1)}process.stdout.write(t)},(e)=>{console.error(String(e));process.exit(1)})";
  return execFileSync('ip', ['netns', 'exec', ns, process.execPath, '-e', script, url], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export interface PromSample {
  readonly metric: Record<string, string>;
  readonly value: number;
}

export class PrometheusServer {
  readonly dir: string;
  readonly url: string;
  private readonly process: SpawnedProcess;

  constructor(private readonly lab: Lab, private readonly ns: string, target: string, rules?: string) {
    this.dir = mkdtempSync(join(tmpdir(), 'carpdump-prometheus-'));
    const config = join(this.dir, 'prometheus.yml');
    if (rules !== undefined) writeFileSync(join(this.dir, 'rules.yml'), rules);
    writeFileSync(config, [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      '  evaluation_interval: 1s',
      ...(rules !== undefined ? ['rule_files:', `  - ${join(this.dir, 'rules.yml')}`] : []),
      'scrape_configs:',
      '  - job_name: carpdump',
      '    static_configs:',
      `      - targets: ['${target}']`,
      '',
    ].join('\n'));
    const port = freePort(ns);
    this.url = `http://127.0.0.1:${port}`;
    this.process = lab.spawn(ns, 'prometheus', [
      'prometheus',
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(this.dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ]);
  }

  stderr(): string {
    return this.process.stderr();
  }

  /** An instant query through the HTTP API (/api/v1/query); [] while Prometheus is not ready. */
  query(expr: string): PromSample[] {
    let body: string;
    try {
      body = httpGet(this.ns, `${this.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    } catch {
      return [];
    }
    const r = JSON.parse(body) as { status: string; data?: { result?: { metric: Record<string, string>; value: [number, string] }[] } };
    if (r.status !== 'success') return [];
    return (r.data?.result ?? []).map((s) => ({ metric: s.metric, value: Number(s.value[1]) }));
  }

  /** Stop it and delete its config and storage; true when the directory is gone. */
  async close(): Promise<boolean> {
    await this.lab.stop(this.process, 'SIGTERM', 10_000);
    rmSync(this.dir, { recursive: true, force: true });
    return !existsSync(this.dir);
  }
}
