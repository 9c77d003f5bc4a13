// An extra route whose next hop is the router's own address (the gateway of one of its interfaces, or
// its external gateway address) is refused, as Neutron refuses it ("the nexthop is used by router",
// neutron/db/extraroute_db.py), with the file, line and field — not loaded as a route through itself.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTopologyText } from '../../src/topology/index.ts';

const file = join(import.meta.dirname, 'topologies', 'two-projects.yaml');
const text = readFileSync(file, 'utf8');

function errorsOf(edited: string) {
  const r = loadTopologyText(edited, 'cloud.yaml');
  return r.ok ? [] : r.errors;
}

describe('extra routes through the router itself', () => {
  it('the file as written loads', () => {
    expect(loadTopologyText(text, 'cloud.yaml').ok).toBe(true);
  });

  it("a next hop at the router's interface on the subnet (the subnet's gateway) is NP317", () => {
    const edited = text.replace('{ destination: 172.17.0.0/24, nexthop: 172.16.0.254 }', '{ destination: 172.17.0.0/24, nexthop: 172.16.0.1 }');
    expect(edited).not.toBe(text);
    expect(errorsOf(edited)).toEqual([
      expect.objectContaining({ code: 'NP317', path: 'routers.data-router.routes[0].nexthop', position: expect.objectContaining({ line: 78 }), message: expect.stringContaining('its interface on db') }),
    ]);
  });

  it("a next hop at the router's external gateway address is NP317", () => {
    const edited = text.replace('{ destination: 10.99.0.0/16, nexthop: 192.168.20.50 }', '{ destination: 10.99.0.0/16, nexthop: 203.0.113.10 }');
    expect(errorsOf(edited)).toEqual([expect.objectContaining({ code: 'NP317', path: 'routers.web-router.routes[0].nexthop', message: expect.stringContaining('its gateway') })]);
  });

  it('a next hop written as an interface address of another router on the subnet is fine', () => {
    // data-inner holds 172.16.0.254 on db: data-router's route through it is the point of the file.
    expect(text).toContain('nexthop: 172.16.0.254');
    expect(errorsOf(text)).toEqual([]);
  });
});
