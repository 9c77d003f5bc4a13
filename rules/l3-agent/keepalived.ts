// keepalived.conf of one instance of an HA router, as the L3 agent writes it
// (<ha_confs_path>/<router id>/keepalived.conf; neutron/agent/linux/keepalived.py KeepalivedConf and
// KeepalivedInstance.build_config, neutron/agent/l3/ha_router.py _init_keepalived_manager): 4-space
// indent; every instance starts BACKUP with nopreempt and priority 50 (HA_DEFAULT_PRIORITY), so VRRP
// alone decides the master; the only VIP in `virtual_ipaddress` (what the advertisements carry) is the
// primary VIP 169.254.0.<vrid>/24 on the ha- device; the router's own addresses — qr- subnets' gateway
// addresses, the qg- address, each floating IP as /32, and each qr-/qg- device's IPv6 link-local address
// (ha_router.py _disable_ipv6_addressing_on_interface) — sit in `virtual_ipaddress_excluded`, sorted as
// strings; `virtual_routes` holds the default route via the external subnet's gateway, then the extra
// routes (no device). Compare neutron-samples/neutron_unittest_expected_keepalived.conf.
// Releases: `no_track` on the addresses of untracked devices and on routes since Ussuri (16.0.0, commit
// dc9084a8ec; written when keepalived ≥ 2.0, which netproof assumes), `protocol static` on routes since
// 2023.1 (22.0.0, commit c813b658d0). No authentication block (ha_vrrp_auth_password unset) and no
// health-check script (ha_vrrp_health_check_interval 0), Neutron's defaults.
//
// Placeholders: {vrid}, {ha} (this instance's ha- device), {advert_int}; per address {cidr}, {dev},
// {scope} (` scope link` or empty), {no_track}; per route {route} (the route text), {no_track},
// {protocol}.
import type { LineTemplate } from '../../src/render/linux/template.ts';
import type { Release } from '../../src/render/linux/release.ts';

/** The release from which each optional keyword is written. */
export const keepalivedSince: Readonly<Record<'noTrack' | 'protocolStatic', Release>> = { noTrack: 'ussuri', protocolStatic: '2023.1' };

export const keepalivedHeader: readonly LineTemplate[] = [
  { line: 'global_defs {', why: 'keepalived\'s global settings, the same for every Neutron router' },
  { line: '    notification_email_from neutron@openstack.local', why: 'KEEPALIVED_EMAIL_FROM' },
  { line: '    router_id neutron', why: 'KEEPALIVED_ROUTER_ID' },
  { line: '}', why: '' },
];

export const keepalivedInstanceHead: readonly LineTemplate[] = [
  { line: 'vrrp_instance VR_{vrid} {', why: 'the router\'s VRRP instance: one per HA router, named after its VRID' },
  { line: '    state BACKUP', why: 'every instance starts as backup: VRRP elects the master' },
  { line: '    interface {ha}', why: 'VRRP advertisements go out and are heard on this instance\'s port on the HA network' },
  { line: '    virtual_router_id {vrid}', why: 'the router\'s VRID, unique in its HA network: instances with the same VRID there are one VRRP group' },
  { line: '    priority 50', why: 'the same priority on every instance (HA_DEFAULT_PRIORITY): no instance is preferred' },
  { line: '    garp_master_delay 60', why: 'a new master sends gratuitous ARPs again 60 s after taking over' },
  { line: '    nopreempt', why: 'a live master is never displaced by another instance coming up' },
  { line: '    advert_int {advert_int}', why: 'the master advertises every {advert_int} s (ha_vrrp_advert_int); backups take over after 3 missed advertisements' },
  { line: '    track_interface {', why: '' },
  { line: '        {ha}', why: 'the instance goes to FAULT (gives up the addresses) when its HA port goes down' },
  { line: '    }', why: '' },
  { line: '    virtual_ipaddress {', why: '' },
  { line: '        169.254.0.{vrid}/24 dev {ha}', why: 'the primary VIP: the one address the advertisements carry, the same on every instance' },
  { line: '    }', why: '' },
];

export const keepalivedExcludedOpen: LineTemplate = { line: '    virtual_ipaddress_excluded {', why: '' };
// Each address and route line carries the reason of the address or route it writes (src/render/linux/ha-vips.ts).
export const keepalivedExcludedAddress: LineTemplate = { line: '        {cidr} dev {dev}{scope}{no_track}', why: '' };
export const keepalivedRoutesOpen: LineTemplate = { line: '    virtual_routes {', why: '' };
export const keepalivedRoute: LineTemplate = { line: '        {route}{no_track}{protocol}', why: '' };
export const keepalivedClose: LineTemplate = { line: '    }', why: '' };
export const keepalivedInstanceClose: LineTemplate = { line: '}', why: '' };
