// Live end-to-end for --metrics: two real ucarp nodes (VHID 7) and a real keepalived pair
// (VRID 51) on a namespace segment, `carpdump -i br0 --metrics 127.0.0.1:PORT` on the bridge, and
// a real Prometheus server scraping it every second. The ucarp master is killed (SIGKILL: no
// bow-out); Prometheus' HTTP API must then answer carpdump_carp_master_info with the backup as
// the only master and carpdump_carp_master_changes_total{cause="master_timeout"} = 1, and
// `promtool check metrics` must accept carpdump's exposition. Prometheus also loads the README's
// alert rules: "master changed in the last 5 minutes" must fire, with cause master_timeout.
//
// Runs as root (CI); skips elsewhere only when not root and CI != 'true'.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Lab, waitFor } from '../netns/lab.js';
import { REPO_ROOT } from '../support/paths.js';
import { skipReason } from '../support/skip.js';
import { startCarpdump } from './carpdump-run.js';
import { httpGet, PrometheusServer, readmeAlertRules, type PromSample } from './prometheus.js';

const VHID = 7;
const PASS = 'e2e-metrics-secret';
const VIP = '10.77.0.100';

function keepalivedConfig(iface: string, state: 'MASTER' | 'BACKUP', priority: number): string {
  return `global_defs {
    router_id carpdump_metrics_${state.toLowerCase()}
}
vrrp_instance VI51 {
    state ${state}
    interface ${iface}
    virtual_router_id 51
    priority ${priority}
    advert_int 1
    virtual_ipaddress {
        10.77.0.51/24
    }
}
`;
}

function show(samples: PromSample[]): string {
  return JSON.stringify(samples.map((s) => [s.metric, s.value]));
}

const skip = skipReason({ lab: true, commands: ['ucarp', 'keepalived', 'prometheus', 'promtool'] });

test('Prometheus scrapes carpdump live: the new master after a failover, one master_timeout change, promtool accepts the exposition', { skip, timeout: 120_000 }, async () => {
  const lab = Lab.create();
  let prometheus: PrometheusServer | undefined;
  try {
    lab.startKeepalived(lab.a, keepalivedConfig(lab.a.iface, 'MASTER', 150));
    lab.startKeepalived(lab.b, keepalivedConfig(lab.b.iface, 'BACKUP', 100));
    const carpdump = await startCarpdump(lab, ['-i', lab.monitor.iface, '-q', '--carp-pass', `${VHID}:${PASS}`, '--vip', `${VHID}:${VIP}`,
      '--metrics', '127.0.0.1:0'], 'carpdump-metrics');
    const url = /serving metrics on (http:\/\/\S+)/.exec(carpdump.stderr())?.[1];
    assert.ok(url, `carpdump says where it serves: ${carpdump.stderr()}`);
    // The alert rules the README recommends, loaded as they are written there.
    const rules = readmeAlertRules(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8'));
    prometheus = new PrometheusServer(lab, lab.monitor.ns, new URL(url).host, rules);
    const prom = prometheus;

    const a = lab.startUcarp(lab.a, { vhid: VHID, pass: PASS, vip: VIP, advskew: 0 });
    lab.startUcarp(lab.b, { vhid: VHID, pass: PASS, vip: VIP, advskew: 100 });

    let masters: PromSample[] = [];
    await waitFor('Prometheus to see ucarp A as master of VHID 7', () => {
      masters = prom.query(`carpdump_carp_master_info{vhid="${VHID}"}`);
      return masters.length === 1 && masters[0]!.metric['master'] === lab.a.ipv4;
    }, 40_000).catch((err: Error) => { throw new Error(`${err.message}: ${show(masters)}; prometheus: ${prom.stderr()}`); });
    assert.deepEqual(prom.query('up{job="carpdump"}').map((s) => s.value), [1], 'Prometheus scrapes carpdump');
    assert.deepEqual(prom.query('carpdump_up').map((s) => s.value), [1]);
    // Adverts verified with the passphrase, a few of A's already in.
    const okAdverts = prom.query(`carpdump_carp_adverts_total{vhid="${VHID}",src="${lab.a.ipv4}",hmac="ok"}`);
    assert.ok(okAdverts.length === 1 && okAdverts[0]!.value >= 1, show(okAdverts));

    await lab.stop(a, 'SIGKILL');
    let changes: PromSample[] = [];
    await waitFor('Prometheus to see ucarp B as the only master, after one master_timeout', () => {
      masters = prom.query(`carpdump_carp_master_info{vhid="${VHID}"}`);
      changes = prom.query(`carpdump_carp_master_changes_total{vhid="${VHID}",cause="master_timeout"}`);
      return masters.length === 1 && masters[0]!.metric['master'] === lab.b.ipv4 && changes.length === 1;
    }, 40_000).catch((err: Error) => { throw new Error(`${err.message}: masters ${show(masters)} changes ${show(changes)}`); });
    assert.equal(changes[0]!.value, 1, 'one master change with cause master_timeout');
    assert.equal(changes[0]!.metric['af'], 'ipv4');
    assert.deepEqual(prom.query(`carpdump_carp_master_changes_total{vhid="${VHID}",cause="first_seen"}`).map((s) => s.value), [1]);
    assert.deepEqual(prom.query(`carpdump_carp_split_brain{vhid="${VHID}"}`).map((s) => s.value), [0]);
    // The README's "master changed in the last 5 minutes" alert fires; its split-brain alert does not.
    let alerts: PromSample[] = [];
    await waitFor('the README\'s CarpMasterChanged alert to fire', () => {
      alerts = prom.query('ALERTS{alertstate="firing"}');
      return alerts.some((s) => s.metric['alertname'] === 'CarpMasterChanged');
    }, 20_000).catch((err: Error) => { throw new Error(`${err.message}: ${show(alerts)}`); });
    assert.deepEqual(alerts.map((s) => [s.metric['alertname'], s.metric['vhid'], s.metric['cause']]), [['CarpMasterChanged', String(VHID), 'master_timeout']]);
    // keepalived's VRRP on the same segment is counted, and is not mistaken for CARP.
    assert.deepEqual(prom.query('carpdump_findings_total{id="carp.vhid_conflict"}'), []);
    // Kernel counters are read while capturing (not only at the end): the series is there.
    assert.deepEqual(prom.query('carpdump_packets_dropped_total').map((s) => s.value), [0]);

    const exposition = httpGet(lab.monitor.ns, url);
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
    assert.equal(lint.status, 0, `promtool check metrics: ${lint.stdout}${lint.stderr}`);
    assert.ok(!exposition.includes(PASS), 'no passphrase in the exposition');

    assert.equal(await lab.stop(carpdump, 'SIGINT'), 0, `carpdump exit status; stderr: ${carpdump.stderr()}`);
  } finally {
    const gone = prometheus ? await prometheus.close() : true;
    await lab.close();
    assert.ok(gone, "Prometheus' temporary directory is deleted");
  }
  assert.deepEqual(lab.existingNamespaces(), [], 'every namespace of the lab is gone');
});
