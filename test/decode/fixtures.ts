// Valid frames of every kind the link-to-CARP/VRRP dissectors handle, for the truncation sweep,
// the property tests and the probe tests.

import * as B from '../builders/packets.js';

export interface Fixture { name: string; linktype: number; bytes: Uint8Array }

const carp4 = () => B.ipv4({ proto: 112 }, B.carp({ vhid: 3, advskew: 20 }));
const carp6 = () => B.ipv6({ nxt: 112 }, B.carp({ vhid: 4 }));

export function validFixtures(): Fixture[] {
  return [
    { name: 'eth/ipv4/carp', linktype: 1, bytes: B.carpFrame4({ hmac: new Uint8Array(20).fill(7) }) },
    { name: 'eth/ipv6/carp', linktype: 1, bytes: B.carpFrame6() },
    { name: 'eth/ipv4+options/carp', linktype: 1, bytes: B.carpFrame4({}, { options: Uint8Array.of(0x94, 4, 0, 0) }) },
    { name: 'eth/ipv4/vrrp2', linktype: 1, bytes: B.vrrp2Frame({ authType: 1, auth: 'kapass', addrs: ['10.77.0.51', '10.77.0.61'] }) },
    { name: 'eth/ipv4/vrrp3', linktype: 1, bytes: B.vrrp3Frame4() },
    { name: 'eth/ipv6/vrrp3', linktype: 1, bytes: B.vrrp3Frame6({ addrs: ['fd00::1', 'fd00::2'] }) },
    { name: 'eth/arp', linktype: 1, bytes: B.arpFrame() },
    { name: 'eth/ipv6/icmpv6 NA', linktype: 1, bytes: B.naFrame() },
    { name: 'eth/vlan/vlan/ipv4/carp', linktype: 1, bytes: B.ethernetTagged([{ tpid: 0x88a8, id: 10 }, { tpid: 0x8100, id: 20 }], 0x0800, carp4()) },
    { name: 'eth/ipv6+hbh+dst/carp', linktype: 1, bytes: B.carpFrame6({}, { nxt: 0, ext: B.concat(B.ipv6Ext(60), B.ipv6Ext(112)) }) },
    { name: 'eth/ipv4/ah/carp', linktype: 1, bytes: B.ethernet({ type: 0x0800 }, B.ipv4({ proto: 51 }, B.ah(112, 9, 9, B.carp()))) },
    { name: 'eth/ipv4/esp', linktype: 1, bytes: B.ethernet({ type: 0x0800 }, B.ipv4({ proto: 50 }, B.concat(B.u32(1), B.u32(2)))) },
    { name: 'sll/ipv4/carp', linktype: 113, bytes: B.sll(0x0800, carp4()) },
    { name: 'sll2/ipv6/carp', linktype: 276, bytes: B.sll2(0x86dd, carp6()) },
    { name: 'null/ipv4/carp', linktype: 0, bytes: B.nullHeader(2, true, carp4()) },
    { name: 'loop/ipv6/carp', linktype: 108, bytes: B.nullHeader(24, false, carp6()) },
    { name: 'raw/ipv4/carp', linktype: 101, bytes: carp4() },
    { name: 'ipv6 linktype/carp', linktype: 229, bytes: carp6() },
    { name: 'fr/ipv4/carp', linktype: 107, bytes: B.frameRelay(100, 0xcc, carp4()) },
    { name: 'fr cisco/ipv4/vrrp', linktype: 107, bytes: B.frameRelayCisco(100, 0x0800, B.ipv4({ proto: 112 }, B.vrrp2())) },
    { name: 'enc/ipv4/carp', linktype: 109, bytes: B.encHeader(2, 0x100, 0x400, carp4()) },
  ];
}
