// `netproof example`: prints a commented starter topology to copy and edit. It loads and every built-in
// invariant holds on it (tested), so a newcomer starts from something that verifies.

export const EXAMPLE_TOPOLOGY = `# A starter topology for netproof (docs/topology.md has every field, its default and its errors).
# Save it, edit it, then:  netproof verify FILE   ·   netproof trace FILE --from web1 --to 8.8.8.8
#
# One project ("shop"), a web tier and a database tier on two VXLAN self-service networks, behind one
# router on the network node that reaches the internet through the flat external network "public".

defaults:
  release: "2024.1"                 # the Neutron release whose agents are rendered (default 2024.1)
  firewall_driver: iptables_hybrid  # security groups as Linux bridge + iptables (the default)
  l2_population: true               # tunnels only towards hosts with ports on the network (the default)

hosts:                              # names: letters, digits, ".", "_", "-" (they become file names)
  compute1: { role: compute, tunnel_ip: 10.0.0.11 }        # tunnel_ip: needed by VXLAN/GRE networks
  compute2: { role: compute, tunnel_ip: 10.0.0.12 }
  network1:                         # runs the L3 agent (routers) and the DHCP agent
    role: network                   # or [compute, network] for an all-in-one node
    tunnel_ip: 10.0.0.21
    bridge_mappings: { external: br-ex }    # physical network "external" is on bridge br-ex

networks:
  public:                           # the provider network routers take their gateway on
    external: true
    type: flat                      # flat | vlan | vxlan | gre
    physical_network: external      # flat and vlan networks name their physical network
    subnets:
      public-v4: { cidr: 203.0.113.0/24, gateway: 203.0.113.1 }   # the upstream router is .1
  web:
    project: shop
    type: vxlan
    segmentation_id: 1001           # optional: the lowest free VNI otherwise
    subnets:
      web-v4: { cidr: 10.1.0.0/24 } # gateway: the first address (10.1.0.1); dhcp: true
  db:
    project: shop
    type: vxlan
    subnets:
      db-v4: { cidr: 10.2.0.0/24 }  # subnets on one router must not overlap (Neutron refuses it)

routers:
  edge:
    project: shop
    hosts: [network1]               # the network node that hosts it
    gateway: { network: public, ip: 203.0.113.10 }  # SNAT to .10 for ports without a floating IP
    interfaces: [web-v4, db-v4]     # each takes its subnet's gateway address

security_groups:                    # per project; every project also has Neutron's "default" group
  shop:                             # (members reach each other; all egress) unless it writes one
    http:
      - { direction: ingress, protocol: tcp, port: 80 }
      - { direction: ingress, protocol: tcp, port: 443 }
      - { direction: ingress, protocol: icmp, icmp_type: 8 }   # echo requests
    postgres:
      - { direction: ingress, protocol: tcp, port: 5432, remote_group: http }  # only from web servers

vms:
  web1: { project: shop, host: compute1, ports: [{ network: web, ip: 10.1.0.11, security_groups: [default, http] }] }
  web2: { project: shop, host: compute2, ports: [{ network: web, security_groups: [default, http] }] }  # ip: the lowest free
  db1:  { project: shop, host: compute2, ports: [{ network: db, ip: 10.2.0.21, security_groups: [default, postgres] }] }

floating_ips:
  - { ip: 203.0.113.80, vm: web1 }  # the internet reaches web1 here; web1 leaves with this address
`;

export function runExample(out: (text: string) => void): number {
  out(EXAMPLE_TOPOLOGY);
  return 0;
}
