// LINKTYPE_* values as libpcap names them (pcap_datalink_val_to_name / _description), for
// tcpdump's "reading from file F, link-type EN10MB (Ethernet), snapshot length N" line. The
// libpcap DLT name of each link type carpdump decodes; others print as tcpdump does for an
// unknown one (LINKTYPE_n).

const NAMES: Readonly<Record<number, readonly [string, string]>> = {
  0: ['NULL', 'BSD loopback'],
  1: ['EN10MB', 'Ethernet'],
  101: ['RAW', 'Raw IP'],
  107: ['FRELAY', 'Frame Relay'],
  108: ['LOOP', 'OpenBSD loopback'],
  109: ['ENC', 'OpenBSD encapsulated IP'],
  113: ['LINUX_SLL', 'Linux cooked v1'],
  117: ['PFLOG', 'OpenBSD pflog file'],
  228: ['IPV4', 'Raw IPv4'],
  229: ['IPV6', 'Raw IPv6'],
  276: ['LINUX_SLL2', 'Linux cooked v2'],
};

export function linktypeText(linktype: number): string {
  const n = NAMES[linktype];
  return n ? `${n[0]} (${n[1]})` : `LINKTYPE_${linktype}`;
}
