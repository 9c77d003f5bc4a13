// `netproof collect-script`: the POSIX shell script an operator runs on each Neutron node (over ssh,
// from Ansible, by hand) to capture what the agents really programmed there. Generated from the
// cloud directory layout (layout.ts), so the names it writes are the ones the reader looks for.
// Guarantees of the script: it only reads the node's state (every command is a dump or a `cat`), it
// writes nothing outside its own output directory (or, with --tar, a temp directory it removes), and
// it needs only what a Neutron node already has: sh, sed, awk, ip, ovs-vsctl, ovs-ofctl, iptables-save,
// ipset (tar and gzip for --tar).
import {
  BRIDGE_FILE_PREFIX,
  DHCP_FILES,
  HOST_DIRS,
  HOST_FILES,
  INI_FILES,
  KEEPALIVED_FILES,
  NETNS_FILES,
} from './layout.ts';

/** Bumped when what the script collects changes; recorded in the first line of `collect.log`. */
export const COLLECT_SCRIPT_VERSION = 1;

const F = HOST_FILES;

export function collectScript(): string {
  return `#!/bin/sh
# netproof collect script, version ${COLLECT_SCRIPT_VERSION} (printed by \`netproof collect-script\`).
#
# Captures, read-only, what the Neutron agents programmed on this node, one file per command, into
# OUTDIR/<host>/ (default OUTDIR: ./netproof-collect). Put the folders of all nodes under CLOUD/hosts/
# and the API view (\`netproof collect-api-script\`) under CLOUD/api/, then: netproof verify CLOUD
#
#   sh collect.sh [OUTDIR]       write OUTDIR/<host>/
#   sh collect.sh --tar          write a gzipped tar of <host>/ to stdout, e.g.
#     netproof collect-script | ssh root@compute-1 'sh -s -- --tar' | tar -xz -C CLOUD/hosts
#
# Run it as root (ip netns exec, iptables-save and ipset need it). It changes nothing on the node:
# every command below only prints state. Secrets in the ini files are replaced by <removed>.
#
# Environment (all optional):
#   NETPROOF_HOST       the host name as Neutron knows it (binding:host_id); default: the \`host\` option
#                       of neutron.conf, else \`hostname\`
#   NEUTRON_CONF_DIR    where the agents' ini files are (default /etc/neutron; plugins/ml2/ below it and
#                       /etc/kolla/neutron-*/ are searched too)
#   NEUTRON_STATE_PATH  Neutron's state_path (default: from neutron.conf, else /var/lib/neutron)
#   OVS_RUNDIR          Open vSwitch's own variable: where ovs-vsctl and ovs-ofctl find the database
#                       socket and the bridges' management sockets (default /var/run/openvswitch)
#   NETPROOF_OVS_DB     the OVSDB to query, passed to ovs-vsctl as --db= (default: OVS_RUNDIR's db.sock)
#   NETPROOF_OVS_EXEC   a prefix for the OVS commands, e.g. "docker exec openvswitch_vswitchd"

set -u
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
export PATH LC_ALL=C

TAR=0
OUT=./netproof-collect
for arg in "$@"; do
  case "$arg" in
    --tar) TAR=1 ;;
    -h|--help) sed -n '2,28p' "$0" 2>/dev/null || echo "usage: sh collect.sh [--tar] [OUTDIR]"; exit 0 ;;
    -*) echo "netproof-collect: unknown option $arg (usage: sh collect.sh [--tar] [OUTDIR])" >&2; exit 2 ;;
    *) OUT=$arg ;;
  esac
done

have() { command -v "$1" >/dev/null 2>&1; }

# ini_get FILE SECTION KEY: the value of KEY in [SECTION] of an ini file (empty when absent).
ini_get() {
  [ -r "$1" ] || return 0
  awk -v want="$2" -v key="$3" '
    /^[ \\t]*\\[/ { s = $0; gsub(/^[ \\t]*\\[|\\][ \\t]*$/, "", s); next }
    s == want {
      line = $0; sub(/[#;].*/, "", line)
      n = index(line, "="); if (n == 0) next
      k = substr(line, 1, n - 1); v = substr(line, n + 1)
      gsub(/^[ \\t]+|[ \\t]+$/, "", k); gsub(/^[ \\t]+|[ \\t]+$/, "", v)
      if (k == key) { print v; exit }
    }' "$1"
}

CONF_DIR=\${NEUTRON_CONF_DIR:-/etc/neutron}
NEUTRON_CONF=$CONF_DIR/neutron.conf
HOST=\${NETPROOF_HOST:-}
[ -n "$HOST" ] || HOST=$(ini_get "$NEUTRON_CONF" DEFAULT host)
[ -n "$HOST" ] || HOST=$(hostname 2>/dev/null || uname -n)
STATE=\${NEUTRON_STATE_PATH:-}
[ -n "$STATE" ] || STATE=$(ini_get "$NEUTRON_CONF" DEFAULT state_path)
[ -n "$STATE" ] || STATE=/var/lib/neutron
case "$HOST" in
  ''|*/*|.|..) echo "netproof-collect: unusable host name '$HOST' (set NETPROOF_HOST)" >&2; exit 2 ;;
esac

if [ "$TAR" = 1 ]; then
  TMP=$(mktemp -d "\${TMPDIR:-/tmp}/netproof-collect.XXXXXX") || exit 1
  trap 'rm -rf "$TMP"' EXIT
  trap 'exit 1' INT TERM
  D=$TMP/$HOST
else
  D=$OUT/$HOST
  if [ -d "$D" ] && [ -n "$(ls -A "$D" 2>/dev/null)" ]; then
    echo "netproof-collect: $D exists and is not empty; move it away or choose another OUTDIR" >&2
    exit 2
  fi
fi
mkdir -p "$D" || exit 1
LOG=$D/${F.log}
printf '# netproof collect-script %s on %s at %s\\n' ${COLLECT_SCRIPT_VERSION} "$HOST" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" > "$LOG"
ERR=$D/.stderr

# log FILE STATUS COMMAND...: one line of collect.log, with the first line of stderr on failure.
log() {
  f=$1; rc=$2; shift 2
  cmd=$*
  case "$cmd" in
    ovs_vsctl*) cmd="ovs-vsctl\${cmd#ovs_vsctl}" ;;
    ovs_ofctl*) cmd="ovs-ofctl\${cmd#ovs_ofctl}" ;;
    redact*) cmd="cat\${cmd#redact} (secrets removed)" ;;
  esac
  printf '%s\\t%s\\t%s' "$f" "$rc" "$cmd" >> "$LOG"
  if [ "$rc" != 0 ] && [ -s "$ERR" ]; then printf '\\t# %s' "$(sed -n '1p' "$ERR" | tr '\\t' ' ')" >> "$LOG"; fi
  printf '\\n' >> "$LOG"
}

# dirof FILE: make the folder a file goes into.
dirof() {
  case "$1" in */*) mkdir -p "$D/\${1%/*}" ;; esac
}

# attempt FILE COMMAND...: run it into FILE; on success log it, on failure leave no file and log nothing.
attempt() {
  f=$1; shift
  dirof "$f"
  "$@" > "$D/$f" 2> "$ERR"
  rc=$?
  if [ "$rc" = 0 ]; then log "$f" 0 "$@"; return 0; fi
  rm -f "$D/$f"
  return "$rc"
}

# capture FILE COMMAND...: run it into FILE and log it whatever happens; an empty failed output is removed.
capture() {
  f=$1; shift
  dirof "$f"
  "$@" > "$D/$f" 2> "$ERR"
  rc=$?
  [ "$rc" = 0 ] || [ -s "$D/$f" ] || rm -f "$D/$f"
  log "$f" "$rc" "$@"
  return 0
}

# copy FILE SOURCE: a state or config file as it is.
copy() {
  [ -r "$2" ] || return 0
  capture "$1" cat "$2"
}

# redact SOURCE: an ini file with the values of secret-looking keys (passwords, tokens, keys, URLs and
# connection strings, which can carry credentials) replaced by <removed>.
redact() {
  awk '{
    n = index($0, "=")
    if (n > 0 && $0 !~ /^[ \\t]*[#;[]/) {
      k = tolower(substr($0, 1, n - 1))
      if (k ~ /pass|secret|token|credential|key|url|connection/) { print substr($0, 1, n) " <removed>"; next }
    }
    print
  }' "$1"
}

ovs_vsctl() {
  if [ -n "\${NETPROOF_OVS_DB:-}" ]; then \${NETPROOF_OVS_EXEC:-} ovs-vsctl --db="$NETPROOF_OVS_DB" "$@"
  else \${NETPROOF_OVS_EXEC:-} ovs-vsctl "$@"; fi
}
ovs_ofctl() { \${NETPROOF_OVS_EXEC:-} ovs-ofctl "$@"; }

# --- the node -----------------------------------------------------------------------------------
echo "$HOST" > "$D/${F.hostname}"; log ${F.hostname} 0 hostname
capture ${F.uname} uname -r
have neutron-openvswitch-agent && capture ${F.agentVersion} neutron-openvswitch-agent --version

# --- Open vSwitch -------------------------------------------------------------------------------
capture ${F.ovsVersion} ovs_vsctl --version
capture ${F.ovsVsctlShow} ovs_vsctl show
for br in $(ovs_vsctl list-br 2>/dev/null); do
  f=${BRIDGE_FILE_PREFIX.dumpFlows}$br
  # OpenFlow 1.3 with port names (OVS >= 2.8), else without names, else OpenFlow 1.0 (old OVS, or a bridge without 1.3).
  attempt "$f" ovs_ofctl -O OpenFlow13 --names dump-flows "$br" ||
    attempt "$f" ovs_ofctl -O OpenFlow13 dump-flows "$br" ||
    capture "$f" ovs_ofctl dump-flows "$br"
  f=${BRIDGE_FILE_PREFIX.ofctlShow}$br
  attempt "$f" ovs_ofctl show "$br" || capture "$f" ovs_ofctl -O OpenFlow13 show "$br"
done

# --- Linux: firewall, addresses, routes, bridges --------------------------------------------------
capture ${F.iptablesSave} iptables-save -c
have ipset && capture ${F.ipsetSave} ipset save
capture ${F.ipAddr} ip -d addr
capture ${F.ipRoute} ip route show table all
capture ${F.ipRule} ip rule
capture ${F.bridgeLink} bridge link
have brctl && capture ${F.brctlShow} brctl show

# --- every network namespace (qrouter-, qdhcp-, snat-, fip-, ...) --------------------------------
for ns in $(ip netns list 2>/dev/null | awk '{ print $1 }'); do
  case "$ns" in */*|.|..) continue ;; esac
  n=${HOST_DIRS.netns}/$ns
  capture "$n/${NETNS_FILES.ipAddr}" ip netns exec "$ns" ip -d addr
  capture "$n/${NETNS_FILES.ipRoute}" ip netns exec "$ns" ip route show table all
  capture "$n/${NETNS_FILES.ipRule}" ip netns exec "$ns" ip rule
  capture "$n/${NETNS_FILES.iptablesSave}" ip netns exec "$ns" iptables-save -c
done

# --- L3 HA (keepalived) and DHCP agent state ------------------------------------------------------
for dir in "$STATE"/ha_confs/*/; do
  [ -d "$dir" ] || continue
  r=$(basename "$dir")
  copy "${HOST_DIRS.keepalived}/$r/${KEEPALIVED_FILES.conf}" "\${dir}${KEEPALIVED_FILES.conf}"
  copy "${HOST_DIRS.keepalived}/$r/${KEEPALIVED_FILES.state}" "\${dir}${KEEPALIVED_FILES.state}"
done
for dir in "$STATE"/dhcp/*/; do
  [ -d "$dir" ] || continue
  n=$(basename "$dir")
  copy "${HOST_DIRS.dhcp}/$n/${DHCP_FILES.host}" "\${dir}${DHCP_FILES.host}"
  copy "${HOST_DIRS.dhcp}/$n/${DHCP_FILES.opts}" "\${dir}${DHCP_FILES.opts}"
  copy "${HOST_DIRS.dhcp}/$n/${DHCP_FILES.addnHosts}" "\${dir}${DHCP_FILES.addnHosts}"
done

# --- the agents' configuration, secrets removed ----------------------------------------------------
for ini in ${Object.values(INI_FILES).join(' ')}; do
  for src in "$CONF_DIR/$ini" "$CONF_DIR/plugins/ml2/$ini" /etc/kolla/neutron-*/"$ini"; do
    if [ -r "$src" ]; then capture "${HOST_DIRS.etc}/$ini" redact "$src"; break; fi
  done
done

rm -f "$ERR"
if [ "$TAR" = 1 ]; then
  tar -C "$TMP" -czf - "$HOST"
else
  echo "netproof-collect: wrote $(grep -vc '^#' "$LOG") files to $D" >&2
fi
`;
}
