// The failure-scenario options of `trace`, `query` and `verify`: `--fail HOST` (repeatable: the host is
// down with its VMs, DHCP servers and router instances), `--cut A,B` (repeatable: the underlay between
// two hosts is cut), and for `trace` and `query` `--master ROUTER=HOST` (repeatable: that instance of
// the HA router is its master). Each bad value is a coded input error naming the option: NP602 for a
// host the topology does not have, NP603 for a master that is not a live instance of an HA router,
// NP601 for a malformed value.
import type { InputError, Result } from '../errors.ts';
import type { Topology } from '../topology/model.ts';
import type { ScenarioSpec } from '../scenario/context.ts';
import { nameHint } from '../questions/known-names.ts';

export interface ScenarioOptions {
  fail?: string[];
  cut?: string[];
  master?: string[];
}

/** Commander's collector for a repeatable option. */
export const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

export function parseScenario(topo: Topology, o: ScenarioOptions): Result<ScenarioSpec> {
  const errors: InputError[] = [];
  const err = (code: InputError['code'], path: string, message: string) => errors.push({ code, file: topo.file, position: null, path, message });
  const hosts = new Set(topo.hosts.map((h) => h.name));
  const known = (flag: string, h: string): boolean => {
    if (hosts.has(h)) return true;
    err('NP602', flag, `no host "${h}" in ${topo.file} (hosts: ${[...hosts].join(', ')})`);
    return false;
  };
  const down = [...new Set((o.fail ?? []).filter((h) => known('--fail', h)))];
  const cuts: [string, string][] = [];
  for (const c of o.cut ?? []) {
    const parts = c.split(',').map((x) => x.trim());
    if (parts.length !== 2 || parts.some((x) => x === '')) {
      err('NP601', '--cut', `--cut takes two hosts, A,B, not "${c}"`);
      continue;
    }
    const [a, b] = parts as [string, string];
    if (a === b) {
      err('NP601', '--cut', `--cut ${c}: a host is not cut from itself`);
      continue;
    }
    if (known('--cut', a) && known('--cut', b)) cuts.push([a, b]);
  }
  const pins = new Map<string, string>();
  for (const m of o.master ?? []) {
    const eq = m.indexOf('=');
    const [name, host] = eq < 0 ? [m, ''] : [m.slice(0, eq), m.slice(eq + 1)];
    if (name === '' || host === '') {
      err('NP601', '--master', `--master takes ROUTER=HOST, not "${m}"`);
      continue;
    }
    const router = topo.routers.find((r) => r.name === name);
    if (!router) err('NP603', '--master', `no router "${name}"${nameHint(name, topo.routers.map((r) => r.name), 'routers')}`);
    else if (router.ha === null) err('NP603', '--master', `router ${name} is not an HA router (one host: ${router.hosts.join(', ')}); --master picks among an HA router's instances`);
    else if (!router.hosts.includes(host)) err('NP603', '--master', `${host} runs no instance of ${name} (its hosts: ${router.hosts.join(', ')})`);
    else if (down.includes(host)) err('NP603', '--master', `${host} is down in this scenario (--fail ${host}): its instance of ${name} cannot be master`);
    else if (pins.has(name) && pins.get(name) !== host) err('NP603', '--master', `router ${name} is pinned twice, on ${pins.get(name) ?? '?'} and ${host}`);
    else pins.set(name, host);
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: { failures: { down, cuts }, pins } };
}

/** Whether the options ask for anything: without them and without HA routers, nothing changes. */
export const asksForScenario = (o: ScenarioOptions): boolean => (o.fail?.length ?? 0) + (o.cut?.length ?? 0) + (o.master?.length ?? 0) > 0;

/** `network2 down, underlay network1–compute1 cut`: a scenario in words (empty: none). */
export function describeScenario(spec: ScenarioSpec): string {
  const parts = [...spec.failures.down.map((h) => `${h} down`), ...spec.failures.cuts.map(([a, b]) => `underlay ${a}–${b} cut`)];
  return parts.join(', ');
}
