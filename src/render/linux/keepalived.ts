// keepalived.conf of each instance of an HA router, from the template in rules/l3-agent/keepalived.ts:
// the instances of one router differ only in their ha- device. Every line carries its provenance.
import {
  keepalivedClose,
  keepalivedExcludedAddress,
  keepalivedExcludedOpen,
  keepalivedHeader,
  keepalivedInstanceClose,
  keepalivedInstanceHead,
  keepalivedRoute,
  keepalivedRoutesOpen,
  keepalivedSince,
} from '../../../rules/l3-agent/keepalived.ts';
import type { PortT, RouterT, Topology } from '../../topology/model.ts';
import { type Artifact, artifactPath, type Provenance } from '../artifacts.ts';
import { deviceName } from '../names.ts';
import { fill } from './engine.ts';
import { routerVips, routerVirtualRoutes } from './ha-vips.ts';
import { releaseIn } from './release.ts';
import type { LineTemplate } from './template.ts';
import { LineWriter } from './text.ts';

/** The keepalived.conf of `router`'s instance whose ha- port is `haPort`. */
export function renderKeepalivedConf(topo: Topology, router: RouterT, haPort: PortT): Artifact {
  if (!router.ha) throw new Error(`router ${router.name} is not an HA router`);
  const w = new LineWriter();
  const label = `router ${router.name} (${router.id})`;
  const put = (t: LineTemplate, vars: Readonly<Record<string, string>>, provenance?: Provenance) =>
    w.line(fill(t.line, vars), provenance ?? (t.why === '' ? undefined : { neutron: label, why: fill(t.why, vars) }));
  const noTrack = releaseIn(topo.release, keepalivedSince.noTrack, undefined) ? ' no_track' : '';
  const protocol = releaseIn(topo.release, keepalivedSince.protocolStatic, undefined) ? ' protocol static' : '';
  const vars = { vrid: String(router.ha.vrid), ha: deviceName.ha(haPort.id), advert_int: String(topo.haVrrpAdvertInt) };

  for (const t of keepalivedHeader) put(t, vars);
  for (const t of keepalivedInstanceHead) put(t, vars);
  const vips = routerVips(topo, router);
  if (vips.length > 0) {
    put(keepalivedExcludedOpen, vars);
    for (const v of vips) {
      // The qr-/qg- devices are not tracked, so their addresses get no_track (the ha- device is).
      put(keepalivedExcludedAddress, { ...vars, cidr: v.cidr, dev: v.dev, scope: v.scopeLink ? ' scope link' : '', no_track: noTrack }, v.provenance);
    }
    put(keepalivedClose, vars);
  }
  const routes = routerVirtualRoutes(topo, router);
  if (routes.length > 0) {
    put(keepalivedRoutesOpen, vars);
    for (const r of routes) put(keepalivedRoute, { route: r.text, no_track: noTrack, protocol }, r.provenance);
    put(keepalivedClose, vars);
  }
  put(keepalivedInstanceClose, vars);
  return w.artifact(artifactPath.keepalivedConf(haPort.host, deviceName.qrouter(router.id)));
}
