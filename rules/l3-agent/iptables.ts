// What the L3 agent programs into a legacy (centralized) router's qrouter namespace
// (router_info.py, metadata/driver.py, iptables_manager.py), in iptables-save syntax. Held beside
// neutron-samples/qrouter_iptables_S_nat_fip_*.txt, hybrid_netnode_mitaka_qrouter_iptables_S_nat_partial.txt
// and qrouter_iptables-save_metadata_excerpt_2022.txt it is the same layout (FORMATS.md §2).
//
// Item of the router: vars qg, gwIp; flags gateway (has an external gateway), snat (enable_snat).
// Scopes: scopeDevice (qr- devices then qg-; vars dev),
// fip (the floating IPs it serves; vars fip, fixed),
// pf (the port forwardings of the floating IPs it serves that no port holds; vars pfFip, proto, ext, internal,
// intPort, pfHow, pfChain). Flag portForwarding: it serves any.
import { chain, group, rule, type TemplateGroup } from '../../src/render/linux/template.ts';

const METADATA_MARK = '0x1/0xffff'; // metadata_access_mark / ROUTER_MARK_MASK
const EXTERNAL_MARK = '0x2/0xffff'; // external_ingress_mark / ROUTER_MARK_MASK
const NO_SCOPE_MARK = '0x4000000/0xffff0000'; // the default ("no scope") address scope mark
const HAIRPIN = 'internal traffic to a floating IP (hairpin) gets the router\'s address {gwIp} so replies return through the router';
const SNAT_OUT = '-m comment --comment "Perform source NAT on outgoing traffic."';

const wrapped = (table: 'raw' | 'mangle' | 'nat' | 'filter', builtins: readonly string[]) =>
  builtins.flatMap((b) => [
    chain(table, `neutron-l3-agent-${b}`),
    rule(table, b, `-j neutron-l3-agent-${b}`, `the L3 agent hooks its ${table} ${b} chain into the namespace`),
  ]);

export const l3Raw: readonly TemplateGroup[] = [{ entries: wrapped('raw', ['PREROUTING', 'OUTPUT']) }];

export const l3Mangle: readonly TemplateGroup[] = [
  {
    entries: [
      ...wrapped('mangle', ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING']),
      chain('mangle', 'neutron-l3-agent-mark'),
      chain('mangle', 'neutron-l3-agent-scope'),
      chain('mangle', 'neutron-l3-agent-floatingip'),
      chain('mangle', 'neutron-l3-agent-float-snat'),
      rule('mangle', 'neutron-l3-agent-PREROUTING', '-j neutron-l3-agent-mark', 'packets are marked by where they entered the router'),
      rule('mangle', 'neutron-l3-agent-PREROUTING', '-j neutron-l3-agent-scope', 'packets are marked with the address scope of their ingress interface'),
      rule('mangle', 'neutron-l3-agent-PREROUTING', '-m connmark ! --mark 0x0/0xffff0000 -j CONNMARK --restore-mark --nfmask 0xffff0000 --ctmask 0xffff0000',
        'replies carry the address scope their connection started in'),
      rule('mangle', 'neutron-l3-agent-PREROUTING', '-j neutron-l3-agent-floatingip', 'floating IPs in another address scope get that scope\'s mark'),
      rule('mangle', 'neutron-l3-agent-PREROUTING', `-d 169.254.169.254/32 -i qr-+ -p tcp -m tcp --dport 80 -j MARK --set-xmark ${METADATA_MARK}`,
        'metadata requests from instances are marked so the INPUT chain lets them reach the proxy'),
      rule('mangle', 'neutron-l3-agent-float-snat', '-m connmark --mark 0x0/0xffff0000 -j CONNMARK --save-mark --nfmask 0xffff0000 --ctmask 0xffff0000',
        'the address scope of a floating-IP connection is remembered'),
      group({
        each: 'scopeDevice',
        entries: [rule('mangle', 'neutron-l3-agent-scope', `-i {dev} -j MARK --set-xmark ${NO_SCOPE_MARK}`,
          'packets entering {dev} belong to its address scope (none: the default scope)')],
      }),
      group({
        when: 'gateway',
        entries: [
          rule('mangle', 'neutron-l3-agent-mark', `-i {qg} -j MARK --set-xmark ${EXTERNAL_MARK}`,
            'packets arriving from the external network are marked, so they are not SNATed on the way back out'),
          rule('mangle', 'neutron-l3-agent-POSTROUTING', '-o {qg} -m connmark --mark 0x0/0xffff0000 -j CONNMARK --save-mark --nfmask 0xffff0000 --ctmask 0xffff0000',
            'connections leaving through the gateway remember their address scope'),
        ],
      }),
    ],
  },
];

export const l3Nat: readonly TemplateGroup[] = [
  {
    entries: [
      ...wrapped('nat', ['PREROUTING', 'OUTPUT', 'POSTROUTING']),
      chain('nat', 'neutron-l3-agent-snat'),
      chain('nat', 'neutron-l3-agent-float-snat'),
      chain('nat', 'neutron-postrouting-bottom'),
      rule('nat', 'POSTROUTING', '-j neutron-postrouting-bottom', 'source NAT runs last in POSTROUTING'),
      rule('nat', 'neutron-l3-agent-PREROUTING', '-d 169.254.169.254/32 -i qr-+ -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 9697',
        'metadata requests from instances go to the metadata proxy on port 9697'),
      rule('nat', 'neutron-l3-agent-snat', '-j neutron-l3-agent-float-snat', 'floating IPs are source-NATed before the router\'s own SNAT'),
      rule('nat', 'neutron-postrouting-bottom', `${SNAT_OUT} -j neutron-l3-agent-snat`, 'outgoing traffic goes through the router\'s source NAT'),
      group({
        each: 'fip',
        entries: [
          rule('nat', 'neutron-l3-agent-PREROUTING', '-d {fip}/32 -j DNAT --to-destination {fixed}',
            'traffic to floating IP {fip} is sent on to its fixed IP {fixed}'),
          rule('nat', 'neutron-l3-agent-OUTPUT', '-d {fip}/32 -j DNAT --to-destination {fixed}',
            'traffic from the router itself to floating IP {fip} is sent on to {fixed}'),
        ],
      }),
      // Port forwardings (Rocky+, neutron/agent/l3/extensions/port_forwarding.py): the extension adds a fip-pf
      // chain hooked from the wrapped PREROUTING only (_install_default_rules; not OUTPUT, so the router's own
      // traffic to the floating IP is not forwarded), then per forwarding a pf-<id[:8]> chain (chain names are
      // cut to 11 characters before the wrap) with one DNAT rule (_get_fip_rules). No SNAT rule: replies leave
      // with the floating IP by conntrack's reverse NAT, and the port's own new connections take the router's
      // SNAT. Rules are appended in the order the agent processed them, after the floating IPs' DNAT here; their
      // destinations never overlap (a floating IP with forwardings is associated with no port), so the order
      // between them decides nothing. Zed's port ranges: `--dport A:B` and `--to-destination IP:C-D/A` (or `IP:C`
      // for one internal port), as extract_ports writes them (src/render/linux/pf-ports.ts); the kernel maps A + i
      // to C + i by the base port's offset (nf_nat_l4proto_unique_tuple, NF_NAT_RANGE_PROTO_OFFSET; checked on the
      // real kernel, test/oracle/router.test.ts on port-forwarding-range.yaml).
      group({
        when: 'portForwarding',
        since: 'rocky',
        entries: [
          chain('nat', 'neutron-l3-agent-fip-pf'),
          rule('nat', 'neutron-l3-agent-PREROUTING', '-j neutron-l3-agent-fip-pf',
            'traffic arriving for a floating IP\'s forwarded ports goes through the port-forwarding chains'),
        ],
      }),
      group({
        each: 'pf',
        since: 'rocky',
        entries: [
          chain('nat', 'neutron-l3-agent-{pfChain}'),
          rule('nat', 'neutron-l3-agent-fip-pf', '-j neutron-l3-agent-{pfChain}', 'port forwarding of {pfFip} {proto}/{ext} has its own chain'),
          rule('nat', 'neutron-l3-agent-{pfChain}', '-d {pfFip}/32 -p {proto} -m {proto} --dport {ext} -j DNAT --to-destination {internal}:{intPort}',
            '{proto} traffic to floating IP {pfFip} port {ext} is forwarded to {internal} port {intPort}{pfHow}'),
        ],
      }),
      group({
        each: 'fip',
        since: 'train',
        entries: [rule('nat', 'neutron-l3-agent-float-snat', '-s {fixed}/32 -j SNAT --to-source {fip} --random-fully',
          'traffic from {fixed} leaves with its floating IP {fip}')],
      }),
      group({
        each: 'fip',
        until: 'train',
        entries: [rule('nat', 'neutron-l3-agent-float-snat', '-s {fixed}/32 -j SNAT --to-source {fip}',
          'traffic from {fixed} leaves with its floating IP {fip}')],
      }),
      group({
        when: 'gateway',
        entries: [
          group({
            since: 'train',
            entries: [rule('nat', 'neutron-l3-agent-POSTROUTING', '! -o {qg} -m conntrack ! --ctstate DNAT -j ACCEPT',
              'traffic between internal networks that did not come in through a floating IP is not NATed')],
          }),
          group({
            until: 'train',
            entries: [rule('nat', 'neutron-l3-agent-POSTROUTING', '! -i {qg} ! -o {qg} -m conntrack ! --ctstate DNAT -j ACCEPT',
              'traffic between internal networks that did not come in through a floating IP is not NATed')],
          }),
          group({
            when: 'snat',
            since: 'train',
            entries: [rule('nat', 'neutron-l3-agent-snat', '-o {qg} -j SNAT --to-source {gwIp} --random-fully',
              'traffic leaving through the gateway without a floating IP gets the router\'s address {gwIp}')],
          }),
          group({
            when: 'snat',
            until: 'train',
            entries: [rule('nat', 'neutron-l3-agent-snat', '-o {qg} -j SNAT --to-source {gwIp}',
              'traffic leaving through the gateway without a floating IP gets the router\'s address {gwIp}')],
          }),
          // The hairpin rule is a floating IP's, not SNAT's: since Newton (bug 1551530, router_info.py
          // external_gateway_nat_fip_rules) it is programmed whether or not the router does SNAT.
          group({
            since: 'train',
            entries: [rule('nat', 'neutron-l3-agent-snat', `-m mark ! --mark ${EXTERNAL_MARK} -m conntrack --ctstate DNAT -j SNAT --to-source {gwIp} --random-fully`, HAIRPIN)],
          }),
          group({
            since: 'newton',
            until: 'train',
            entries: [rule('nat', 'neutron-l3-agent-snat', `-m mark ! --mark ${EXTERNAL_MARK} -m conntrack --ctstate DNAT -j SNAT --to-source {gwIp}`, HAIRPIN)],
          }),
          group({
            when: 'snat',
            until: 'newton',
            entries: [rule('nat', 'neutron-l3-agent-snat', `-m mark ! --mark ${EXTERNAL_MARK} -m conntrack --ctstate DNAT -j SNAT --to-source {gwIp}`, HAIRPIN)],
          }),
        ],
      }),
    ],
  },
];

export const l3Filter: readonly TemplateGroup[] = [
  {
    entries: [
      chain('filter', 'neutron-l3-agent-INPUT'),
      chain('filter', 'neutron-l3-agent-FORWARD'),
      chain('filter', 'neutron-l3-agent-OUTPUT'),
      chain('filter', 'neutron-filter-top'),
      chain('filter', 'neutron-l3-agent-local'),
      chain('filter', 'neutron-l3-agent-scope'),
      rule('filter', 'INPUT', '-j neutron-l3-agent-INPUT', 'the L3 agent hooks its filter INPUT chain into the namespace'),
      // The shared top chain comes first in FORWARD and OUTPUT, before the agent's own chain.
      rule('filter', 'FORWARD', '-j neutron-filter-top', 'shared top-of-FORWARD chain of all Neutron agents'),
      rule('filter', 'FORWARD', '-j neutron-l3-agent-FORWARD', 'the L3 agent hooks its filter FORWARD chain into the namespace'),
      rule('filter', 'OUTPUT', '-j neutron-filter-top', 'shared top-of-OUTPUT chain of all Neutron agents'),
      rule('filter', 'OUTPUT', '-j neutron-l3-agent-OUTPUT', 'the L3 agent hooks its filter OUTPUT chain into the namespace'),
      rule('filter', 'neutron-filter-top', '-j neutron-l3-agent-local', 'the agent\'s local chain, reached from the shared top chain'),
      rule('filter', 'neutron-l3-agent-FORWARD', '-j neutron-l3-agent-scope', 'routed traffic may not cross address scopes'),
      rule('filter', 'neutron-l3-agent-INPUT', `-m mark --mark ${METADATA_MARK} -j ACCEPT`,
        'metadata requests redirected from instances may reach the metadata proxy'),
      rule('filter', 'neutron-l3-agent-INPUT', '-p tcp -m tcp --dport 9697 -j DROP',
        'nothing else may reach the metadata proxy port'),
      group({
        each: 'scopeDevice',
        entries: [rule('filter', 'neutron-l3-agent-scope', `-o {dev} -m mark ! --mark ${NO_SCOPE_MARK} -j DROP`,
          'traffic from another address scope may not be routed out of {dev}')],
      }),
    ],
  },
];

export const l3Iptables: readonly TemplateGroup[] = [...l3Raw, ...l3Mangle, ...l3Nat, ...l3Filter];
