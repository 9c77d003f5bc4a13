// The semantic checks of a schema-valid topology file, in one pass that reports every problem it
// finds (references, addresses, segmentation, placement, L3 HA, unsupported features). When these pass,
// the derivation may assume every name resolves and every written address parses and fits.
import type { Diagnostics } from './diagnostics.ts';
import type { FileContext } from './context.ts';
import { checkDefaults, checkHosts, checkNetworks } from './check-network.ts';
import { checkRouters } from './check-router.ts';
import { checkHaDefaults, checkHaRouters } from './check-ha.ts';
import { checkOverlaps } from './check-overlap.ts';
import { checkSecurityGroups, checkStatelessGroups } from './check-security.ts';
import { checkPortForwardings } from './check-port-forwardings.ts';
import { checkDuplicateAddresses, checkFloatingIps, checkVms, dhcpClaims, routerAndUpstreamClaims } from './check-ports.ts';

export function checkTopology(ctx: FileContext, diag: Diagnostics): void {
  checkDefaults(ctx, diag);
  checkHosts(ctx, diag);
  checkNetworks(ctx, diag);
  checkRouters(ctx, diag);
  checkHaDefaults(ctx, diag);
  checkHaRouters(ctx, diag);
  checkOverlaps(ctx, diag);
  checkSecurityGroups(ctx, diag);
  checkStatelessGroups(ctx, diag);
  const claims = [...routerAndUpstreamClaims(ctx), ...dhcpClaims(ctx)];
  checkVms(ctx, diag, claims);
  checkFloatingIps(ctx, diag, claims);
  checkPortForwardings(ctx, diag, claims);
  checkDuplicateAddresses(diag, claims);
}
