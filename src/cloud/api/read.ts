// Reading `CLOUD/api/` (docs/cloud-directory.md): every file parsed as JSON and checked against its
// shape (schema.ts), each object kept with the file and line it came from so that later messages can
// point at it. A required file that is missing (NP902), not JSON or of the wrong shape (NP903) is an
// error naming the file, line and field; the per-object agent files and the CLI listings are optional.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { DEFAULT_INPUT_LIMITS, readTextFile, type InputLimits } from '../../input/text-file.ts';
import { join } from 'node:path';
import type { z } from 'zod';
import type { InputError, Result } from '../../errors.ts';
import { readSource, type Locator } from '../../topology/source.ts';
import type { Path, PathSegment } from '../../topology/path.ts';
import { formatPath } from '../../topology/path.ts';
import { API_DIRS, API_FILES, API_SOURCES, CLOUD_DIRS, type ApiFileKey } from '../layout.ts';
import {
  AgentApi,
  API_BODIES,
  PortForwardingApi,
  type AgentApiT,
  type FloatingIpApiT,
  type NetworkApiT,
  type OscRowT,
  type PortApiT,
  type PortForwardingApiT,
  type RouterApiT,
  type SecurityGroupApiT,
  type SubnetApiT,
} from './schema.ts';

/** Where an API object came from: the file (relative to the cloud directory) and its 1-based line. */
export interface ApiAt { readonly file: string; readonly line: number }

export interface Located<T> { readonly value: T; readonly at: ApiAt }

export interface ApiView {
  readonly networks: readonly Located<NetworkApiT>[];
  readonly subnets: readonly Located<SubnetApiT>[];
  readonly ports: readonly Located<PortApiT>[];
  readonly routers: readonly Located<RouterApiT>[];
  readonly floatingips: readonly Located<FloatingIpApiT>[];
  readonly securityGroups: readonly Located<SecurityGroupApiT>[];
  readonly agents: readonly Located<AgentApiT>[];
  /** Server id → name (`servers.json`); empty when the file is absent. */
  readonly servers: readonly Located<OscRowT>[];
  readonly projects: readonly Located<OscRowT>[];
  /** Router id → the L3 agents hosting it (`l3-agents/<id>.json`), for the routers that have a file. */
  readonly l3Agents: ReadonlyMap<string, readonly Located<AgentApiT>[]>;
  /** Network id → its DHCP agents (`dhcp-agents/<id>.json`). */
  readonly dhcpAgents: ReadonlyMap<string, readonly Located<AgentApiT>[]>;
  /** Floating IP id → its port forwardings with their port ranges (`port-forwardings/<id>.json`), where collected. */
  readonly portForwardings: ReadonlyMap<string, readonly Located<PortForwardingApiT>[]>;
  /** API files absent that netproof can do without (said as warnings by the caller). */
  readonly missingOptional: readonly string[];
}

const REQUIRED: readonly ApiFileKey[] = ['networks', 'subnets', 'ports', 'routers', 'floatingips', 'securityGroups', 'agents'];
const OPTIONAL: readonly ApiFileKey[] = ['servers', 'projects'];

function error(code: InputError['code'], file: string, line: number | null, path: string, message: string): InputError {
  return { code, file, position: line === null ? null : { line, column: 1 }, path, message };
}

/** A file's text parsed as JSON; positions come from a YAML parse of the same text, made only when needed. */
interface JsonFile {
  readonly rel: string;
  readonly data: unknown;
  line(path: Path): number;
}

function readJson(cloudDir: string, rel: string, limits: InputLimits): Result<JsonFile> {
  const read = readTextFile(join(cloudDir, rel), limits);
  if (!read.ok) return { ok: false, errors: read.errors.map((e) => ({ ...e, file: rel })) };
  const text = read.value;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // The YAML parser reports where JSON went wrong; JSON.parse's message has no line.
    const src = readSource(text, rel);
    const first = src.ok ? null : src.errors[0];
    const line = first?.position?.line ?? null;
    return { ok: false, errors: [error('NP903', rel, line, '', `not JSON${first ? `: ${first.message}` : text.trim() === '' ? ': the file is empty' : ''} (a truncated download?)`)] };
  }
  let locator: Locator | null = null;
  return {
    ok: true,
    value: {
      rel,
      data,
      line(path) {
        if (locator === null) {
          const src = readSource(text, rel);
          locator = src.ok ? src.locator : { locate: () => null };
        }
        return locator.locate(path)?.line ?? 1;
      },
    },
  };
}

/** The list of objects of one API body, each checked and located; errors name file, line and field. */
function items<T>(f: JsonFile, key: string | null, schema: z.ZodType<T>, what: string): Result<Located<T>[]> {
  const list = key === null ? f.data : (f.data as Record<string, unknown> | null)?.[key];
  if (f.data === null || typeof f.data !== 'object' || !Array.isArray(list)) {
    const expected = key === null ? 'a JSON list' : `an object with a "${key}" list`;
    return { ok: false, errors: [error('NP903', f.rel, 1, key ?? '', `expected ${expected} (${what})`)] };
  }
  const out: Located<T>[] = [];
  const errors: InputError[] = [];
  list.forEach((raw, i) => {
    const base: PathSegment[] = key === null ? [i] : [key, i];
    const r = schema.safeParse(raw);
    if (r.success) {
      // The line is found only when something asks (a note or an error): locating needs a second parse.
      out.push({ value: r.data, at: { file: f.rel, get line() { return f.line(base); } } });
      return;
    }
    for (const issue of r.error.issues.slice(0, 3)) {
      const path: Path = [...base, ...(issue.path as PathSegment[])];
      errors.push(error('NP903', f.rel, f.line(path), formatPath(path), issue.message));
    }
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value: out };
}

/** `l3-agents/`, `dhcp-agents/` or `port-forwardings/`: object id → the items its file lists under `key` (the agents' by default: T is then AgentApiT). */
function perObject<T>(cloudDir: string, dir: string, errors: InputError[], limits: InputLimits, key = 'agents', schema: z.ZodType<T> = AgentApi as unknown as z.ZodType<T>): Map<string, Located<T>[]> {
  const out = new Map<string, Located<T>[]>();
  const abs = join(cloudDir, CLOUD_DIRS.api, dir);
  if (!existsSync(abs)) return out;
  for (const name of readdirSync(abs).sort()) {
    if (!name.endsWith('.json')) continue;
    const f = readJson(cloudDir, `${CLOUD_DIRS.api}/${dir}/${name}`, limits);
    if (!f.ok) {
      errors.push(...f.errors);
      continue;
    }
    const r = items(f.value, key, schema, `${dir}/<id>.json`);
    if (r.ok) out.set(name.slice(0, -'.json'.length), r.value);
    else errors.push(...r.errors);
  }
  return out;
}

/** Reads `CLOUD/api/`; every problem found is returned, not just the first. */
export function readApi(cloudDir: string, limits: InputLimits = DEFAULT_INPUT_LIMITS): Result<ApiView> {
  const apiDir = join(cloudDir, CLOUD_DIRS.api);
  if (!existsSync(apiDir) || !statSync(apiDir).isDirectory()) {
    return { ok: false, errors: [error('NP902', CLOUD_DIRS.api, null, '', `no ${CLOUD_DIRS.api}/ folder in ${cloudDir}: the Neutron API view (netproof collect-api-script) is needed to know what should be there`)] };
  }
  const errors: InputError[] = [];
  const missingOptional: string[] = [];
  const got: Partial<Record<ApiFileKey, Located<unknown>[]>> = {};
  for (const key of [...REQUIRED, ...OPTIONAL]) {
    if (key === 'log') continue;
    const rel = `${CLOUD_DIRS.api}/${API_FILES[key]}`;
    if (!existsSync(join(cloudDir, rel))) {
      if (REQUIRED.includes(key)) errors.push(error('NP902', rel, null, '', `missing: save the body of ${API_SOURCES[key]} there (netproof collect-api-script does)`));
      else missingOptional.push(rel);
      continue;
    }
    const f = readJson(cloudDir, rel, limits);
    if (!f.ok) {
      errors.push(...f.errors);
      continue;
    }
    const body = API_BODIES[key as keyof typeof API_BODIES];
    const r = items(f.value, body.key, body.item as z.ZodType<unknown>, API_SOURCES[key]);
    if (r.ok) got[key] = r.value;
    else errors.push(...r.errors);
  }
  const l3Agents = perObject<AgentApiT>(cloudDir, API_DIRS.l3Agents, errors, limits);
  const dhcpAgents = perObject<AgentApiT>(cloudDir, API_DIRS.dhcpAgents, errors, limits);
  const portForwardings = perObject<PortForwardingApiT>(cloudDir, API_DIRS.portForwardings, errors, limits, 'port_forwardings', PortForwardingApi as z.ZodType<PortForwardingApiT>);
  if (errors.length > 0) return { ok: false, errors };
  const list = <T>(k: ApiFileKey) => (got[k] ?? []) as Located<T>[];
  const ports = list<PortApiT>('ports');
  // Only an admin sees bindings; without them nothing can be placed on a host.
  if (ports.length > 0 && ports.every((p) => p.value['binding:host_id'] === undefined)) {
    const first = ports[0] as Located<PortApiT>;
    return { ok: false, errors: [error('NP905', first.at.file, first.at.line, 'ports[0]', 'no port has binding:host_id: take the API view with admin credentials, which show where each port is bound')] };
  }
  return {
    ok: true,
    value: {
      networks: list('networks'),
      subnets: list('subnets'),
      ports,
      routers: list('routers'),
      floatingips: list('floatingips'),
      securityGroups: list('securityGroups'),
      agents: list('agents'),
      servers: list('servers'),
      projects: list('projects'),
      l3Agents,
      dhcpAgents,
      portForwardings,
      missingOptional,
    },
  };
}
