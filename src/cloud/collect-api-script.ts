// `netproof collect-api-script`: the POSIX shell script that saves the Neutron API view of a cloud
// into `CLOUD/api/` with an operator's usual `openstack` credentials (OS_* variables or OS_CLOUD).
// Each Neutron file is the raw body of one API response, fetched with curl and the token
// `openstack token issue` gives; servers and projects come from the OpenStack CLI (`-f json`), for
// names only. Generated from the layout (layout.ts), so the file names are the ones the reader expects.
// Guarantees of the script: only GET requests and list/show/issue commands; it writes nothing but
// its output directory, each file whole or not at all (written to a temp name, then moved).
import { API_DIRS, API_FILES, API_SOURCES, type ApiFileKey } from './layout.ts';

export const COLLECT_API_SCRIPT_VERSION = 1;

/** The Neutron collections saved whole, with the JSON key their list response holds them under. */
const COLLECTIONS: readonly (readonly [ApiFileKey, string])[] = [
  ['networks', 'networks'],
  ['subnets', 'subnets'],
  ['ports', 'ports'],
  ['routers', 'routers'],
  ['floatingips', 'floatingips'],
  ['securityGroups', 'security_groups'],
  ['agents', 'agents'],
];

const pathOf = (key: ApiFileKey): string => API_SOURCES[key].replace(/^GET /, '');

export function collectApiScript(): string {
  const gets = COLLECTIONS.map(([key, json]) => `get ${API_FILES[key]} ${pathOf(key)} ${json}`).join('\n');
  return `#!/bin/sh
# netproof API collect script, version ${COLLECT_API_SCRIPT_VERSION} (printed by \`netproof collect-api-script\`).
#
# Saves the Neutron API view of the cloud into OUTDIR (default ./api): the raw body of each API
# response, as netproof reads it from CLOUD/api/. Run it where the \`openstack\` CLI works with
# admin credentials (source your openrc, or set OS_CLOUD): an admin token sees every project's
# objects and the ports' bindings (binding:host_id).
#
#   sh collect-api.sh [OUTDIR]
#
# It only reads: GET requests to Neutron, and \`openstack token issue\`, \`endpoint list\`,
# \`router list\`, \`network list\`, \`floating ip list\`, \`server list\` and \`project list\`. Needs openstack and curl.
#
# Environment (all optional):
#   NEUTRON_URL     Neutron's endpoint (default: from \`openstack endpoint list --service network\`)
#   OS_INTERFACE    which endpoint interface to use (default public); OS_REGION_NAME picks the region
#   OS_CACERT       a CA bundle for curl, as for the openstack CLI

set -u
OUT=\${1:-./api}
case "$OUT" in -*) echo "usage: sh collect-api.sh [OUTDIR]" >&2; exit 2 ;; esac

fail() { echo "netproof-collect-api: $*" >&2; exit 1; }
command -v openstack >/dev/null 2>&1 || fail "the openstack CLI is not installed (python-openstackclient)"
command -v curl >/dev/null 2>&1 || fail "curl is not installed"
if [ -d "$OUT" ] && [ -n "$(ls -A "$OUT" 2>/dev/null)" ]; then
  fail "$OUT exists and is not empty; move it away or choose another OUTDIR"
fi
mkdir -p "$OUT/${API_DIRS.l3Agents}" "$OUT/${API_DIRS.dhcpAgents}" || exit 1
LOG=$OUT/${API_FILES.log}
printf '# netproof collect-api-script %s at %s\\n' ${COLLECT_API_SCRIPT_VERSION} "$(date -u +%Y-%m-%dT%H:%M:%SZ)" > "$LOG"

TOKEN=$(openstack token issue -f value -c id) || fail "openstack token issue failed: are the OS_* credentials set?"
[ -n "$TOKEN" ] || fail "openstack token issue gave no token"
URL=\${NEUTRON_URL:-}
if [ -z "$URL" ]; then
  if [ -n "\${OS_REGION_NAME:-}" ]; then
    URL=$(openstack endpoint list --service network --interface "\${OS_INTERFACE:-public}" --region "$OS_REGION_NAME" -f value -c URL | sed -n 1p)
  else
    URL=$(openstack endpoint list --service network --interface "\${OS_INTERFACE:-public}" -f value -c URL | sed -n 1p)
  fi
fi
[ -n "$URL" ] || fail "no network endpoint found (set NEUTRON_URL)"
URL=\${URL%/}
URL=\${URL%/v2.0}

# get FILE PATH [KEY]: GET PATH from Neutron into OUTDIR/FILE. A paginated answer (Neutron's
# pagination_max_limit set) would hold only a first page: refused rather than saved incomplete.
get() {
  tmp=$OUT/.$$.tmp
  if [ -n "\${OS_CACERT:-}" ]; then
    curl -sS -f --cacert "$OS_CACERT" -H "X-Auth-Token: $TOKEN" -H 'Accept: application/json' -o "$tmp" "$URL$2" 2> "$OUT/.$$.err"
  else
    curl -sS -f -H "X-Auth-Token: $TOKEN" -H 'Accept: application/json' -o "$tmp" "$URL$2" 2> "$OUT/.$$.err"
  fi
  rc=$?
  if [ "$rc" = 0 ] && [ -n "\${3:-}" ] && grep -q "\\"$3_links\\"" "$tmp" && grep -q '"rel": *"next"' "$tmp"; then
    echo "Neutron paginated $2 (pagination_max_limit is set): only a first page came back" > "$OUT/.$$.err"
    rc=3
  fi
  if [ "$rc" = 0 ]; then
    mv "$tmp" "$OUT/$1"
    printf '%s\\t0\\tGET %s\\n' "$1" "$2" >> "$LOG"
  else
    rm -f "$tmp"
    printf '%s\\t%s\\tGET %s\\t# %s\\n' "$1" "$rc" "$2" "$(sed -n 1p "$OUT/.$$.err")" >> "$LOG"
    echo "netproof-collect-api: GET $2 failed: $(sed -n 1p "$OUT/.$$.err")" >&2
  fi
  rm -f "$OUT/.$$.err"
}

# osc FILE COMMAND...: an openstack CLI listing into OUTDIR/FILE.
osc() {
  f=$1; shift
  if openstack "$@" > "$OUT/.$$.tmp" 2> "$OUT/.$$.err"; then
    mv "$OUT/.$$.tmp" "$OUT/$f"
    printf '%s\\t0\\topenstack %s\\n' "$f" "$*" >> "$LOG"
  else
    rc=$?
    rm -f "$OUT/.$$.tmp"
    printf '%s\\t%s\\topenstack %s\\t# %s\\n' "$f" "$rc" "$*" "$(sed -n 1p "$OUT/.$$.err")" >> "$LOG"
    echo "netproof-collect-api: openstack $* failed: $(sed -n 1p "$OUT/.$$.err")" >&2
  fi
  rm -f "$OUT/.$$.err"
}

${gets}

for r in $(openstack router list -f value -c ID); do
  get ${API_DIRS.l3Agents}/$r.json /v2.0/routers/$r/l3-agents agents
done
for n in $(openstack network list -f value -c ID); do
  get ${API_DIRS.dhcpAgents}/$n.json /v2.0/networks/$n/dhcp-agents agents
done

# Port forwardings with port ranges (Zed+): the floating IP's own listing leaves a range's ports out, so each
# floating IP without a port has its forwardings saved, where Neutron has the port-ranges extension.
if curl -sS -f \${OS_CACERT:+--cacert "$OS_CACERT"} -H "X-Auth-Token: $TOKEN" -H 'Accept: application/json' -o /dev/null "$URL/v2.0/extensions/floating-ip-port-forwarding-port-ranges" 2>/dev/null; then
  mkdir -p "$OUT/${API_DIRS.portForwardings}" || exit 1
  for f in $(openstack floating ip list -f value -c ID -c Port | awk '$2 == "None" { print $1 }'); do
    get ${API_DIRS.portForwardings}/$f.json /v2.0/floatingips/$f/port_forwardings port_forwardings
  done
fi

osc ${API_FILES.servers} server list --all-projects -f json
osc ${API_FILES.projects} project list -f json

failed=$(grep -v '^#' "$LOG" | awk -F '\\t' '$2 != 0' | wc -l)
echo "netproof-collect-api: wrote $(grep -v '^#' "$LOG" | awk -F '\\t' '$2 == 0' | wc -l) files to $OUT ($failed failed)" >&2
[ "$failed" -eq 0 ]
`;
}
