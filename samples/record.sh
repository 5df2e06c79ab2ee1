#!/usr/bin/env bash
# samples/record.sh - re-record carpdump's REAL sample captures.
#
# Runs real ucarp and keepalived peers in throw-away network namespaces joined by a
# Linux bridge, captures the segment with tcpdump on the bridge, and writes the
# recordings into samples/ (or $OUT).  Needs root, iproute2, tcpdump, editcap
# (tshark/wireshark-common), ucarp and keepalived (Debian: apt-get install ucarp
# keepalived tcpdump tshark iproute2).  Nothing leaves the namespaces: every address is
# inside 10.77.0.0/24 / fd00:77::/64 / fe80::/64 on a private bridge, and every
# namespace is deleted on exit (trap), also on Ctrl-C or error.
#
# Usage:  sudo samples/record.sh               # every scenario (about 3 minutes)
#         sudo samples/record.sh failover e    # only some (names or letters below)
#         OUT=/tmp/x KEEP_LOGS=1 sudo samples/record.sh
#
# Scenarios (see samples/README.md for what carpdump should say about each):
#   a failover   ucarp-failover.pcap (+ .pcapng, -ns.pcap, .pcap.gz)  vhid 7, master killed, backup takes over
#   b preempt    ucarp-preempt.pcap               -P: the better node comes back and preempts
#   c splitbrain ucarp-split-brain.pcap           same vhid, different passphrases
#   d conflict   carp-vrrp-conflict.pcap          ucarp vhid 9 + keepalived VRRP vrid 9
#   e keepalived keepalived-vrrp.pcap (+ .pcapng) VRRPv2 (auth / no auth), VRRPv3 IPv4+IPv6
#   f multivhid  multi-vhid.pcap                  3 VHIDs, 4 failovers
#   g vrrpkill   keepalived-kill.pcap             VRRPv2 IPv4 + VRRPv3 IPv6, master killed (SIGKILL)
#   h vrrpresign keepalived-resign.pcap           VRRPv2 + VRRPv3 (200 cs), master stopped (TERM: priority 0)
#   i vrrppreempt keepalived-preempt.pcap         VRRPv3 IPv4 + IPv6, killed, then the better node preempts

#   j passsplit  ucarp-passphrase-split.pcap      vhid 6, different passphrases, no ARP, b first
#   k noarp      ucarp-failover-noarp.pcap        vhid 7 failover recorded with 'ip proto 112'
#   l intruder   carp-intruder.pcap               vhid 20 pair + a host that forges then replays
#                (needs the compiled builders: npx tsc -p . first)
#   m twopoints  ucarp-two-points-a.pcap + -b.pcap  vhid 15 failover captured at two points; the
#                bridge port of point b stops flooding multicast for 6 s (mcast_flood off)
#
# Topology of every scenario (a fresh one each time):
#
#     [node a: eth0 10.77.0.1 02:00:00:77:00:01]--+
#     [node b: eth0 10.77.0.2 02:00:00:77:00:02]--+-- br0 (switch namespace) <- tcpdump
#     [node c: eth0 10.77.0.3 02:00:00:77:00:03]--+
#
# Timing is real (advbase 1 s), so re-recording gives the same story with slightly
# different timestamps, counters and frame numbers.

set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-$HERE}
TAG="cdr$$"                       # unique per run: namespace prefix
WORK=$(mktemp -d /tmp/carpdump-record.XXXXXX)
NAMESPACES=()                     # every namespace this run created
PIDS=()                           # every process this run started (by pid)
CAPTURE_PID=""
CAPTURE_FILE=""
SEG=""                            # switch namespace of the current segment

die() { echo "record.sh: $*" >&2; exit 1; }
log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*"; }

cleanup() {
  local pid ns
  for pid in "${PIDS[@]}" ${CAPTURE_PID:+"$CAPTURE_PID"}; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  sleep 0.3
  for pid in "${PIDS[@]}" ${CAPTURE_PID:+"$CAPTURE_PID"}; do
    kill -KILL "$pid" 2>/dev/null || true
  done
  for ns in "${NAMESPACES[@]}"; do
    ip netns del "$ns" 2>/dev/null || true
  done
  if [ "${KEEP_LOGS:-0}" = 1 ]; then echo "logs kept in $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || die "must run as root (it creates network namespaces)"
for tool in ip tcpdump editcap ucarp keepalived; do
  command -v "$tool" >/dev/null || die "$tool not found (apt-get install iproute2 tcpdump tshark ucarp keepalived)"
done
mkdir -p "$OUT"

# --- segment ---------------------------------------------------------------------

# new_segment NODE... : a switch namespace with bridge br0 plus one namespace per node
# (a, b, c ...), node k = 10.77.0.k/24, MAC 02:00:00:77:00:0k, IPv6 link-local from it.
new_segment() {
  SEG="${TAG}sw"
  ip netns add "$SEG"; NAMESPACES+=("$SEG")
  ip netns exec "$SEG" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$SEG" link add br0 type bridge stp_state 0 mcast_snooping 0
  ip -n "$SEG" link set br0 up
  local k=0 node ns
  for node in "$@"; do
    k=$((k + 1))
    ns="${TAG}${node}"
    ip netns add "$ns"; NAMESPACES+=("$ns")
    # IPv6 on (keepalived's VRRPv3/IPv6 needs a link-local source), no DAD so the
    # link-local address is usable at once, no router solicitations.
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.accept_dad=0 \
      net.ipv6.conf.default.router_solicitations=0 net.ipv6.conf.default.addr_gen_mode=0
    ip -n "$SEG" link add "p${node}" type veth peer name eth0 netns "$ns"
    ip -n "$SEG" link set "p${node}" master br0 up
    ip -n "$ns" link set lo up
    ip -n "$ns" link set eth0 address "02:00:00:77:00:0${k}"
    ip -n "$ns" addr add "10.77.0.${k}/24" dev eth0
    ip -n "$ns" link set eth0 up
  done
  sleep 0.5
}

# end_segment : stop every daemon this scenario started (by pid), delete its namespaces.
end_segment() {
  local pid ns
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  for ns in "${NAMESPACES[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  NAMESPACES=()
  PIDS=()
}

# start_capture FILE FILTER : tcpdump on the bridge, written as classic pcap.
start_capture() {
  local file=$1 filter=$2
  CAPTURE_FILE=$file
  tcpdump_at "$SEG" br0 "$file" "$filter" tcpdump
  CAPTURE_PID=$LAST_PID
}

# tcpdump_at NS IFACE FILE FILTER LOGNAME : tcpdump on IFACE of namespace NS into FILE, started
# once it says 'listening on'; its pid is in $LAST_PID.  --immediate-mode: each frame reaches
# tcpdump at once (not when the kernel retires a ring block, up to 1 s later), so a frame that
# came just before the stop is in the file and not lost with the unread block.
tcpdump_at() {
  local ns=$1 iface=$2 file=$3 filter=$4 name=$5 i
  rm -f "$file"
  ip netns exec "$ns" tcpdump -i "$iface" -s 0 -U -n --immediate-mode -w "$file" "$filter" >"$WORK/$name.log" 2>&1 &
  LAST_PID=$!
  for i in $(seq 50); do
    grep -q 'listening on' "$WORK/$name.log" 2>/dev/null && return 0
    sleep 0.1
  done
  die "tcpdump did not start: $(cat "$WORK/$name.log")"
}

stop_capture() {
  sleep 0.3
  kill -INT "$CAPTURE_PID" 2>/dev/null || true
  wait "$CAPTURE_PID" 2>/dev/null || true
  CAPTURE_PID=""
  chown --reference="$OUT" "$CAPTURE_FILE" 2>/dev/null || true   # tcpdump wrote it as user tcpdump
  sed -n 's/^/    tcpdump: /p' "$WORK/tcpdump.log" | grep -E 'captured|dropped by kernel' || true
}

# in_node NODE LOGNAME CMD... : start CMD in the node's namespace; its pid is in $LAST_PID
# (ip netns exec execs the command, so the pid is the daemon's own).
in_node() {
  local node=$1 name=$2; shift 2
  ip netns exec "${TAG}${node}" "$@" >"$WORK/$name.log" 2>&1 &
  LAST_PID=$!
  PIDS+=("$LAST_PID")
}

# stop_pid PID SIGNAL : signal one process this script started and reap it.
stop_pid() {
  kill "-$2" "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# ucarp_node NODE LOGNAME VHID PASS VIP ADVSKEW [extra ucarp options]  (advbase $ADVBASE, default 1)
ucarp_node() {
  local node=$1 name=$2 vhid=$3 pass=$4 vip=$5 skew=$6; shift 6
  local k
  case $node in a) k=1 ;; b) k=2 ;; c) k=3 ;; *) die "node $node" ;; esac
  in_node "$node" "$name" ucarp -i eth0 -s "10.77.0.$k" -v "$vhid" -p "$pass" -a "$vip" \
    -b "${ADVBASE:-1}" -k "$skew" -u /bin/true -d /bin/true "$@"
}

# keepalived_node NODE NAME CONF : keepalived, VRRP only, in the foreground.
keepalived_node() {
  local node=$1 name=$2 conf=$3
  in_node "$node" "$name" keepalived -n -l -D -P -f "$conf" \
    -p "$WORK/$name.pid" -r "$WORK/$name-vrrp.pid"
}

# kill_keepalived PID NAME : a crash of the keepalived started as PID (pid files under NAME):
# no priority-0 goodbye.  keepalived runs VRRP in a child process that gets SIGTERM when its
# parent dies (PR_SET_PDEATHSIG in vrrp_daemon.c) and that the parent respawns, so: stop the
# parent, SIGKILL the VRRP child, then SIGKILL the parent.
kill_keepalived() {
  local pid=$1 name=$2 child
  child=$(cat "$WORK/$name-vrrp.pid" 2>/dev/null) || die "no VRRP child pid for $name"
  kill -STOP "$pid" 2>/dev/null || true
  kill -KILL "$child" 2>/dev/null || true
  stop_pid "$pid" KILL
}

# keepalived_pair_conf STATE PRIORITY INSTANCE... : a configuration with the given instances,
# each NAME:VRID:VERSION:ADVERT_INT:VIP (the VIP, last, may hold colons: an IPv6 VIP makes a
# VRRPv3/IPv6 instance, sent from the link-local address to ff02::12).
keepalived_pair_conf() {
  local state=$1 prio=$2 spec name vrid ver intv vip; shift 2
  cat <<EOF
global_defs {
    router_id carpdump_$state
    vrrp_garp_master_delay 0
    vrrp_garp_master_repeat 1
}
EOF
  for spec in "$@"; do
    IFS=: read -r name vrid ver intv vip <<<"$spec"
    cat <<EOF
vrrp_instance $name {
    state $state
    interface eth0
    virtual_router_id $vrid
    priority $prio
    advert_int $intv
    version $ver
    virtual_ipaddress {
        $vip
    }
}
EOF
  done
}

# variants FILE.pcap : the same frames as pcapng, nanosecond pcap and gzip (reader fixtures).
variants() {
  local f=$1
  editcap -F pcapng "$f" "${f%.pcap}.pcapng"
  editcap -F nsecpcap "$f" "${f%.pcap}-ns.pcap"
  gzip -9 -n -c "$f" >"$f.gz"
  chown --reference="$OUT" "${f%.pcap}.pcapng" "${f%.pcap}-ns.pcap" "$f.gz" 2>/dev/null || true
}

summarise() {
  local file=$1
  echo "    $(basename "$file"): $(tcpdump -nn -r "$file" 2>/dev/null | wc -l) frames, $(stat -c %s "$file") bytes"
}

# --- scenarios -------------------------------------------------------------------

# a: node a master (advskew 0), node b backup (advskew 100); a is killed (SIGKILL, so
#    no goodbye), b takes over after its master-down interval (3 s + 100/256 s).
scenario_failover() {
  local f="$OUT/ucarp-failover.pcap"
  log "a: ucarp failover -> $f"
  ucarp_failover "$f" 'ip proto 112 or arp'
  variants "$f"
  summarise "$f"
}

# ucarp_failover FILE FILTER : the story of scenario a, captured with FILTER.
ucarp_failover() {
  local f=$1 filter=$2 A
  new_segment a b
  start_capture "$f" "$filter"
  ucarp_node a ucarp-a 7 carpsecret 10.77.0.100 0; A=$LAST_PID
  sleep 4                                   # a becomes master after ~3 s
  ucarp_node b ucarp-b 7 carpsecret 10.77.0.100 100
  sleep 5
  log "   killing node a (master)"
  stop_pid "$A" KILL
  sleep 9                                   # b takes over some 4-5 s later
  stop_capture; end_segment
}

# b: both with -P.  a master, killed; b takes over (master_timeout); a restarts and, on
#    b's next advert, preempts (b steps down on hearing a's more frequent advert).
scenario_preempt() {
  local f="$OUT/ucarp-preempt.pcap" A
  log "b: ucarp preemption -> $f"
  new_segment a b
  start_capture "$f" 'ip proto 112 or arp'
  ucarp_node a ucarp-a 8 carpsecret 10.77.0.108 0 -P; A=$LAST_PID
  sleep 4
  ucarp_node b ucarp-b 8 carpsecret 10.77.0.108 100 -P
  sleep 4
  log "   killing node a (master)"
  stop_pid "$A" KILL
  sleep 6
  log "   restarting node a with -P"
  ucarp_node a ucarp-a2 8 carpsecret 10.77.0.108 0 -P
  sleep 5
  stop_capture; end_segment
  summarise "$f"
}

# c: same vhid, different passphrases: each drops the other's adverts (bad HMAC), so both
#    become master and stay master.
scenario_splitbrain() {
  local f="$OUT/ucarp-split-brain.pcap"
  log "c: ucarp split brain -> $f"
  new_segment a b
  start_capture "$f" 'ip proto 112 or arp'
  ucarp_node a ucarp-a 5 secret-one 10.77.0.105 0
  sleep 1
  ucarp_node b ucarp-b 5 secret-two 10.77.0.105 100
  sleep 9
  stop_capture; end_segment
  summarise "$f"
}

# d: a CARP pair on vhid 9 (a master, b backup) plus a keepalived VRRPv2 router on
#    node c with vrid 9 on the same segment and the same group 224.0.0.18.
scenario_conflict() {
  local f="$OUT/carp-vrrp-conflict.pcap" conf="$WORK/ka-conflict.conf" C
  # keepalived re-arms its advert timer on every packet it drops, so CARP adverts every
  # second would silence it; with advbase 2 both protocols are heard.
  local ADVBASE=2
  log "d: CARP vhid 9 + VRRP vrid 9 -> $f"
  cat >"$conf" <<'EOF'
global_defs {
    router_id carpdump_conflict
    vrrp_garp_master_delay 0
    vrrp_garp_master_repeat 1
}
vrrp_instance VI9 {
    state MASTER
    interface eth0
    virtual_router_id 9
    priority 100
    advert_int 1
    version 2
    virtual_ipaddress {
        10.77.0.209/24
    }
}
EOF
  new_segment a b c
  start_capture "$f" 'ip proto 112 or arp'
  ucarp_node a ucarp-a 9 carpsecret 10.77.0.109 0
  sleep 4
  ucarp_node b ucarp-b 9 carpsecret 10.77.0.109 100
  keepalived_node c ka-c "$conf"; C=$LAST_PID
  sleep 10
  log "   stopping keepalived on c (SIGTERM: priority 0 advert)"
  stop_pid "$C" TERM
  sleep 2
  stop_capture
  end_segment
  summarise "$f"
}

# e: two keepalived routers, a (priority 150, MASTER) and b (priority 100, BACKUP), with
#    four instances: VRRPv2 + PASS auth (vrid 51, two VIPs), VRRPv2 without auth
#    (vrid 54), VRRPv3/IPv4 (vrid 52), VRRPv3/IPv6 (vrid 53).  a is stopped with SIGTERM
#    (priority-0 adverts), b takes over every instance.
keepalived_conf() {   # keepalived_conf STATE PRIORITY
  cat <<EOF
global_defs {
    router_id carpdump_$1
    vrrp_garp_master_delay 0
    vrrp_garp_master_repeat 1
}
vrrp_instance V2AUTH {
    state $1
    interface eth0
    virtual_router_id 51
    priority $2
    advert_int 1
    version 2
    authentication {
        auth_type PASS
        auth_pass kapass
    }
    virtual_ipaddress {
        10.77.0.51/24
        10.77.0.61/24
    }
}
vrrp_instance V2 {
    state $1
    interface eth0
    virtual_router_id 54
    priority $2
    advert_int 1
    version 2
    virtual_ipaddress {
        10.77.0.54/24
    }
}
vrrp_instance V3 {
    state $1
    interface eth0
    virtual_router_id 52
    priority $2
    advert_int 1
    version 3
    virtual_ipaddress {
        10.77.0.52/24
    }
}
vrrp_instance V3V6 {
    state $1
    interface eth0
    virtual_router_id 53
    priority $2
    advert_int 1
    version 3
    virtual_ipaddress {
        fd00:77::53/64
    }
}
EOF
}

scenario_keepalived() {
  local f="$OUT/keepalived-vrrp.pcap" A B
  log "e: keepalived VRRPv2/v3 -> $f"
  keepalived_conf MASTER 150 >"$WORK/ka-a.conf"
  keepalived_conf BACKUP 100 >"$WORK/ka-b.conf"
  new_segment a b
  start_capture "$f" 'ip proto 112 or ip6 proto 112 or arp or (icmp6 and ip6[40] == 136)'
  keepalived_node a ka-a "$WORK/ka-a.conf"; A=$LAST_PID
  sleep 4
  keepalived_node b ka-b "$WORK/ka-b.conf"; B=$LAST_PID
  sleep 4
  log "   stopping keepalived on a (SIGTERM: priority 0 adverts)"
  stop_pid "$A" TERM
  sleep 4
  stop_capture
  stop_pid "$B" TERM
  end_segment
  editcap -F pcapng "$f" "${f%.pcap}.pcapng"
  summarise "$f"
}

# f: three VHIDs on three nodes, each node master of one and backup of another:
#    vhid 11: a (0) / b (100);  vhid 12: b (0) / c (100);  vhid 13: c (0) / a (100).
#    Failovers: kill a's vhid 11 -> b; kill b's vhid 12 -> c; kill c's vhid 13 -> a;
#    restart c's vhid 13 with -P -> c preempts a.  4 failovers; final masters
#    11: b, 12: c, 13: c.
scenario_multivhid() {
  local f="$OUT/multi-vhid.pcap" A11 B12 C13
  log "f: 3 VHIDs, 4 failovers -> $f"
  new_segment a b c
  start_capture "$f" 'ip proto 112 or arp'
  ucarp_node a ucarp-a11 11 carpsecret 10.77.0.111 0;   A11=$LAST_PID
  ucarp_node b ucarp-b12 12 carpsecret 10.77.0.112 0;   B12=$LAST_PID
  ucarp_node c ucarp-c13 13 carpsecret 10.77.0.113 0;   C13=$LAST_PID
  sleep 4
  ucarp_node b ucarp-b11 11 carpsecret 10.77.0.111 100
  ucarp_node c ucarp-c12 12 carpsecret 10.77.0.112 100
  ucarp_node a ucarp-a13 13 carpsecret 10.77.0.113 100
  sleep 3
  log "   failover 1: vhid 11 a -> b"; stop_pid "$A11" KILL; sleep 5
  log "   failover 2: vhid 12 b -> c"; stop_pid "$B12" KILL; sleep 5
  log "   failover 3: vhid 13 c -> a"; stop_pid "$C13" KILL; sleep 5
  log "   failover 4: vhid 13 a -> c (c restarts with -P)"
  ucarp_node c ucarp-c13b 13 carpsecret 10.77.0.113 0 -P
  sleep 6
  stop_capture; end_segment
  summarise "$f"
}

VRRP_FILTER='ip proto 112 or ip6 proto 112 or arp or (icmp6 and ip6[40] == 136)'

# keepalived_pair FILE NAME DELAY INSTANCE... : a fresh segment captured into FILE; keepalived
# a (priority 150, state MASTER) started first, b (100, BACKUP) DELAY seconds later, both with
# the instances given (see keepalived_pair_conf); configurations and pid files under NAME-a /
# NAME-b.  a's pid is left in $A_PID.
keepalived_pair() {
  local file=$1 name=$2 delay=$3; shift 3
  keepalived_pair_conf MASTER 150 "$@" >"$WORK/$name-a.conf"
  keepalived_pair_conf BACKUP 100 "$@" >"$WORK/$name-b.conf"
  new_segment a b
  start_capture "$file" "$VRRP_FILTER"
  keepalived_node a "$name-a" "$WORK/$name-a.conf"; A_PID=$LAST_PID
  sleep "$delay"
  keepalived_node b "$name-b" "$WORK/$name-b.conf"
}

# g: keepalived a (priority 150) master, b (100) backup, VRRPv2/IPv4 vrid 61 and VRRPv3/IPv6
#    vrid 62; a crashes (SIGKILL): b takes over after its master-down interval
#    3 x 1 s + (256 - 100)/256 s = 3.61 s.
scenario_vrrpkill() {
  local f="$OUT/keepalived-kill.pcap"
  log "g: keepalived failover by kill -> $f"
  keepalived_pair "$f" kk 5 K2:61:2:1:10.77.0.161/24 K6:62:3:1:fd00:77::62/64
  sleep 4
  log "   killing keepalived on a (SIGKILL, no goodbye)"
  kill_keepalived "$A_PID" kk-a
  sleep 7
  stop_capture; end_segment
  summarise "$f"
}

# j: b (secret-two, advskew 100) alone first, then a (secret-one, advskew 0): each drops the
#    other's adverts, both master. Adverts only (no ARP): the VIP is inside the HMAC only.
scenario_passsplit() {
  local f="$OUT/ucarp-passphrase-split.pcap"
  log "j: ucarp passphrase split brain, no ARP -> $f"
  new_segment a b
  start_capture "$f" 'ip proto 112'
  ucarp_node b ucarp-b 6 secret-two 10.77.0.106 100
  sleep 6                                   # b is master after ~3.4 s, a few adverts alone
  ucarp_node a ucarp-a 6 secret-one 10.77.0.106 0
  sleep 9
  stop_capture; end_segment
  summarise "$f"
}

# h: keepalived a (150) master, b (100) backup, VRRPv2 vrid 66 (advert_int 1) and VRRPv3/IPv4
#    vrid 67 (advert_int 2 = 200 cs); a stops cleanly (SIGTERM): priority-0 adverts, b takes
#    over after its skew time: v2 (256 - 100)/256 s = 0.61 s, v3 (256 - 100) x 200/256 cs = 1.22 s.
scenario_vrrpresign() {
  local f="$OUT/keepalived-resign.pcap"
  log "h: keepalived resign by TERM -> $f"
  keepalived_pair "$f" kr 8 R2:66:2:1:10.77.0.166/24 R3:67:3:2:10.77.0.167/24
  sleep 4
  log "   stopping keepalived on a (SIGTERM: priority 0 adverts)"
  stop_pid "$A_PID" TERM
  sleep 5
  stop_capture; end_segment
  summarise "$f"
}

# i: keepalived a (150) and b (100), VRRPv3/IPv4 vrid 64 and VRRPv3/IPv6 vrid 65.  a master,
#    killed; b takes over (master timeout); a restarts: as a backup it discards b's lower
#    priority adverts, after its master-down interval 3 x 1 + (256 - 150)/256 = 3.41 s it
#    becomes master and b, hearing the higher priority, returns to backup (preemption).
scenario_vrrppreempt() {
  local f="$OUT/keepalived-preempt.pcap"
  log "i: keepalived preemption -> $f"
  keepalived_pair "$f" kp 5 P4:64:3:1:10.77.0.164/24 P6:65:3:1:fd00:77::65/64
  sleep 3
  log "   killing keepalived on a (SIGKILL)"
  kill_keepalived "$A_PID" kp-a
  sleep 6
  log "   restarting keepalived on a (priority 150: preempts)"
  keepalived_node a kp-a2 "$WORK/kp-a.conf"
  sleep 7
  stop_capture; end_segment
  summarise "$f"
}

# k: the failover of scenario a, recorded with 'ip proto 112' (the README's -w example).
scenario_noarp() {
  local f="$OUT/ucarp-failover-noarp.pcap"
  log "k: ucarp failover without ARP -> $f"
  ucarp_failover "$f" 'ip proto 112'
  summarise "$f"
}

# l: a genuine pair (a master, b backup) and an intruder c without the passphrase: c grabs
#    one of a's adverts, then tcpreplays 3 forged adverts and 3 copies of the grabbed one
#    (test/builders/intruder.ts), 1 s apart, from its own MAC and address.
scenario_intruder() {
  local f="$OUT/carp-intruder.pcap" builder="$HERE/../dist/test/builders/intruder.js"
  [ -f "$builder" ] || die "$builder missing: run 'npx tsc -p .' first"
  command -v tcpreplay >/dev/null || die "tcpreplay not found (apt-get install tcpreplay)"
  log "l: intruder forges then replays -> $f"
  new_segment a b c
  start_capture "$f" 'ip proto 112 or arp'
  ucarp_node a ucarp-a 20 carpsecret 10.77.0.120 0
  sleep 4
  ucarp_node b ucarp-b 20 carpsecret 10.77.0.120 100
  sleep 1
  ip netns exec "${TAG}c" tcpdump -i eth0 -s 0 -n -c 1 -w "$WORK/genuine.pcap" 'ip proto 112 and src 10.77.0.1' >"$WORK/grab.log" 2>&1
  node "$builder" "$WORK/genuine.pcap" "$WORK/intruder.pcap" 02:00:00:77:00:03 10.77.0.3
  ip netns exec "${TAG}c" tcpreplay -q -i eth0 "$WORK/intruder.pcap" >"$WORK/tcpreplay.log" 2>&1
  sleep 3
  stop_capture; end_segment
  summarise "$f"
}

# m: one ucarp failover (vhid 15: a advskew 0 master, b advskew 100 backup, a killed) captured
#    at two points of one segment: point a on br0 (every frame), point b by tcpdump in a monitor
#    namespace m behind bridge port pm.  For 6 s while a is master (b silent) pm stops flooding
#    multicast (`bridge link set dev pm mcast_flood off`, as a switch port behind IGMP snooping
#    that has no listener registered): b misses a's adverts then (broadcast ARP still passes).
scenario_twopoints() {
  local fa="$OUT/ucarp-two-points-a.pcap" fb="$OUT/ucarp-two-points-b.pcap" A PB
  local filter='ip proto 112 or arp'
  log "m: ucarp failover at two capture points -> $fa, $fb"
  new_segment a b m
  start_capture "$fa" "$filter"
  tcpdump_at "${TAG}m" eth0 "$fb" "$filter" tcpdump-b; PB=$LAST_PID; PIDS+=("$PB")
  ucarp_node a ucarp-a 15 carpsecret 10.77.0.115 0; A=$LAST_PID
  sleep 4
  ucarp_node b ucarp-b 15 carpsecret 10.77.0.115 100
  sleep 1
  log "   port pm (point b): multicast flooding off"
  ip netns exec "$SEG" bridge link set dev pm mcast_flood off
  sleep 6
  log "   port pm (point b): multicast flooding on"
  ip netns exec "$SEG" bridge link set dev pm mcast_flood on
  sleep 3
  log "   killing node a (master)"
  stop_pid "$A" KILL
  sleep 11                                  # b takes over some 4-5 s later, a few adverts
  # Both captures stop at once, so neither file ends with a frame the other lacks.
  kill -INT "$PB" "$CAPTURE_PID" 2>/dev/null || true
  wait "$PB" 2>/dev/null || true
  chown --reference="$OUT" "$fb" 2>/dev/null || true
  stop_capture; end_segment
  summarise "$fa"
  summarise "$fb"
}

# --- main ------------------------------------------------------------------------

ALL="failover preempt splitbrain conflict keepalived multivhid vrrpkill vrrpresign vrrppreempt passsplit noarp intruder twopoints"
WANT=${*:-$ALL}
start=$(date +%s)
for s in $WANT; do
  case $s in
    a|failover) scenario_failover ;;
    b|preempt) scenario_preempt ;;
    c|splitbrain) scenario_splitbrain ;;
    d|conflict) scenario_conflict ;;
    e|keepalived) scenario_keepalived ;;
    f|multivhid) scenario_multivhid ;;
    g|vrrpkill) scenario_vrrpkill ;;
    h|vrrpresign) scenario_vrrpresign ;;
    i|vrrppreempt) scenario_vrrppreempt ;;
    j|passsplit) scenario_passsplit ;;
    k|noarp) scenario_noarp ;;
    l|intruder) scenario_intruder ;;
    m|twopoints) scenario_twopoints ;;
    *) die "unknown scenario '$s' (one of: $ALL, or a-m)" ;;
  esac
done
log "done in $(( $(date +%s) - start )) s; captures in $OUT"
