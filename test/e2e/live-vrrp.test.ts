// Live end-to-end with keepalived: VRRPv2 (with a PASS authentication string), VRRPv3 over
// IPv4 and VRRPv3 over IPv6 from a real keepalived, captured on the bridge (Ethernet) and on
// `any` (Linux cooked capture, the link type cap reports for it), must decode as VRRP, not
// CARP; keepalived's priority-0 adverts on SIGTERM must follow. Output piped into `head`
// ends carpdump quietly (SIGPIPE / EPIPE).
//
// Runs as root (CI); skips elsewhere only when not root and CI != 'true'.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Lab, waitFor } from '../netns/lab.js';
import { CARPDUMP_BIN } from '../support/paths.js';
import { skipReason } from '../support/skip.js';
import { packets, parseJsonl, startCarpdump, type PacketObject } from './carpdump-run.js';

/** keepalived.conf for node A: three instances, all MASTER with priority 150. */
function keepalivedConfig(iface: string): string {
  return `global_defs {
    router_id carpdump_e2e
    vrrp_garp_master_delay 0
    vrrp_garp_master_repeat 1
}
vrrp_instance V2 {
    state MASTER
    interface ${iface}
    virtual_router_id 51
    priority 150
    advert_int 1
    version 2
    authentication {
        auth_type PASS
        auth_pass e2epass
    }
    virtual_ipaddress {
        10.77.0.51/24
        10.77.0.61/24
    }
}
vrrp_instance V3 {
    state MASTER
    interface ${iface}
    virtual_router_id 52
    priority 150
    advert_int 1
    version 3
    virtual_ipaddress {
        10.77.0.52/24
    }
}
vrrp_instance V3v6 {
    state MASTER
    interface ${iface}
    virtual_router_id 53
    priority 150
    advert_int 1
    version 3
    virtual_ipaddress {
        fd77::53/64
    }
}
`;
}

function vrrpPackets(stdout: string): PacketObject[] {
  const complete = stdout.slice(0, stdout.lastIndexOf('\n') + 1);
  return packets(parseJsonl(complete)).filter((p) => p.layers.vrrp !== undefined);
}

function vrid(p: PacketObject): unknown {
  return p.layers.vrrp?.['vrrp.virt_rtr_id'];
}

const skip = skipReason({ lab: true, commands: ['keepalived'] });

test('keepalived VRRPv2/v3 live on Ethernet and on `any`; priority 0 on SIGTERM; quiet end when piped into head', { skip, timeout: 90_000 }, async () => {
  const lab = Lab.create();
  try {
    const eth = await startCarpdump(lab, ['-i', lab.monitor.iface, '-T', 'jsonl', '-l'], 'carpdump-br0');
    // `any` with each capture backend: cap gives Linux cooked v1, tcpdump (-y LINUX_SLL2) v2 with the interface index.
    const any = await startCarpdump(lab, ['--capture-backend', 'cap', '-i', 'any', '-T', 'jsonl', '-l'], 'carpdump-any');
    const any2 = await startCarpdump(lab, ['--capture-backend', 'tcpdump', '-i', 'any', '-T', 'jsonl', '-l'], 'carpdump-any-sll2');
    const piped = lab.spawn(lab.monitor.ns, 'carpdump|head', [
      'bash', '-c',
      `"$0" "$1" -i ${lab.monitor.iface} -l | head -n 3 >/dev/null; echo "carpdump status \${PIPESTATUS[0]}"`,
      process.execPath, CARPDUMP_BIN,
    ]);
    const ka = lab.startKeepalived(lab.a, keepalivedConfig(lab.a.iface));
    const seenAll = (out: string): boolean => {
      const ids = new Set(vrrpPackets(out).filter((p) => p.layers.vrrp?.['vrrp.prio'] === 150).map(vrid));
      return ids.has(51) && ids.has(52) && ids.has(53);
    };
    await waitFor('adverts of VRID 51, 52 and 53 on br0', () => seenAll(eth.stdout()), 30_000);
    await waitFor('adverts of VRID 51, 52 and 53 on any', () => seenAll(any.stdout()), 10_000);
    await lab.stop(ka, 'SIGTERM', 10_000);
    const stopping = (out: string): number => vrrpPackets(out).filter((p) => p.layers.vrrp?.['vrrp.prio'] === 0).length;
    await waitFor('priority-0 adverts after SIGTERM', () => stopping(eth.stdout()) >= 3, 10_000);
    assert.equal(await lab.stop(eth, 'SIGINT'), 0, eth.stderr());
    assert.equal(await lab.stop(any, 'SIGINT'), 0, any.stderr());
    assert.equal(await lab.stop(any2, 'SIGINT'), 0, any2.stderr());

    for (const [where, out] of [['br0', eth.stdout()], ['any', any.stdout()], ['any (tcpdump)', any2.stdout()]] as const) {
      const all = packets(parseJsonl(out));
      const vrrp = all.filter((p) => p.layers.vrrp !== undefined);
      assert.ok(all.every((p) => p.layers.carp === undefined), `${where}: keepalived's adverts are not CARP`);
      const v2 = vrrp.filter((p) => vrid(p) === 51);
      const v3 = vrrp.filter((p) => vrid(p) === 52);
      const v3v6 = vrrp.filter((p) => vrid(p) === 53);
      assert.ok(v2.length > 0 && v3.length > 0 && v3v6.length > 0, `${where}: all three instances`);
      for (const p of v2) {
        assert.equal(p.layers.vrrp?.['vrrp.version'], 2);
        assert.deepEqual(p.layers.vrrp?.['vrrp.ip_addr'], ['10.77.0.51', '10.77.0.61']);
        assert.equal(p.layers.ipv4?.['ip.src'], lab.a.ipv4);
      }
      for (const p of v3) {
        assert.equal(p.layers.vrrp?.['vrrp.version'], 3);
        assert.deepEqual(p.layers.vrrp?.['vrrp.ip_addr'], ['10.77.0.52']);
      }
      for (const p of v3v6) {
        assert.equal(p.layers.vrrp?.['vrrp.version'], 3);
        assert.deepEqual(p.layers.vrrp?.['vrrp.ip_addr'], ['fd77::53']);
        assert.ok(p.layers.ipv6 !== undefined, `${where}: VRID 53 is carried over IPv6`);
      }
      for (const p of vrrp) assert.equal(p.layers.vrrp?.['vrrp.checksum.status'], 'good');
    }
    // Link types: Ethernet on the bridge, Linux cooked capture (113) on `any`.
    const linktypes = (out: string): Set<unknown> =>
      new Set(parseJsonl(out).filter((o) => o.type === 'packet').map((o) => (o.frame as { linktype: unknown }).linktype));
    assert.deepEqual([...linktypes(eth.stdout())], [1]);
    assert.deepEqual([...linktypes(any.stdout())], [113]);
    assert.deepEqual([...linktypes(any2.stdout())], [276]);
    // SLL2 names the interface each frame was captured on: br0 and its ports, by index.
    const ifindexes = new Set(packets(parseJsonl(any2.stdout())).map((p) => p.layers.sll2?.['sll.ifindex']));
    const brIndex = Number(lab.exec(lab.monitor.ns, ['cat', `/sys/class/net/${lab.monitor.iface}/ifindex`]).trim());
    assert.ok(ifindexes.has(brIndex), `frames captured on br0 (ifindex ${brIndex}) named so: ${[...ifindexes].join(',')}`);

    // Piped into head: carpdump ends by itself, quietly, with status 0.
    await waitFor('carpdump | head to end', () => piped.child.exitCode !== null, 15_000);
    assert.equal(await piped.exited, 0, piped.stderr());
    assert.match(piped.stdout(), /^carpdump status 0$/m);
    // Nothing at all: not even cap's libpcap warning for an interface without IPv4 (br0
    // here), which the capture worker keeps to itself.
    // tcpdump's "listening on" line aside (printed when the capture started).
    assert.deepEqual(piped.stderr().split('\n').filter((l) => l !== '' && !/^listening on /.test(l)), [], 'nothing on stderr after the pipe closed');
  } finally {
    await lab.close();
  }
  assert.deepEqual(lab.existingNamespaces(), []);
});
