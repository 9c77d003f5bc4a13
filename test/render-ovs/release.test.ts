// Release ordering and the release-dependent shape of br-int (FORMATS.md §1.3): the same seed
// rendered as Mitaka, Train, 2023.1, 2024.1 and 2024.2.
import { describe, it, expect } from 'vitest';
import { renderOvsArtifacts } from '../../src/render/ovs/index.ts';
import { intPipeline, ordinalOf, releaseOrdinal } from '../../src/render/ovs/release.ts';
import { brIntTemplates } from '../../rules/ovs-agent/br-int.ts';
import { brTunTemplates } from '../../rules/ovs-agent/br-tun.ts';
import { brPhysTemplates } from '../../rules/ovs-agent/br-phys.ts';
import { deviceName } from '../../src/render/names.ts';
import { flows, load, port } from './helpers.ts';

const seed = load('topologies/seed.yaml');
const brInt = (release: string, host = 'compute1') => flows(renderOvsArtifacts({ ...seed, release }), host, 'br-int');

describe('release order', () => {
  it('orders series names and year versions', () => {
    const order = ['mitaka', 'ocata', 'pike', 'stein', 'wallaby', 'yoga', 'zed', '2023.1', '2023.2', '2024.1', '2024.2', '2025.1'];
    const ords = order.map((r) => releaseOrdinal(r));
    expect(ords.every((o) => o !== null)).toBe(true);
    expect([...ords].sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(ords);
    expect(new Set(ords).size).toBe(order.length);
  });

  it('accepts code names and any case, rejects unknown strings', () => {
    expect(releaseOrdinal('caracal')).toBe(releaseOrdinal('2024.1'));
    expect(releaseOrdinal('Yoga')).toBe(releaseOrdinal('yoga'));
    expect(releaseOrdinal('2022.1')).toBeNull();
    expect(releaseOrdinal('2024.3')).toBeNull();
    expect(releaseOrdinal('mitakaa')).toBeNull();
    expect(() => renderOvsArtifacts({ ...seed, release: 'nope' })).toThrow(/unknown Neutron release/);
  });

  it('every template names real releases in since/until', () => {
    for (const t of [...brIntTemplates, ...brTunTemplates, ...brPhysTemplates]) {
      if (t.since !== undefined) expect(() => ordinalOf(t.since ?? ''), t.id).not.toThrow();
      if (t.until !== undefined) expect(() => ordinalOf(t.until ?? ''), t.id).not.toThrow();
    }
  });

  it('maps releases to the br-int continuation tables', () => {
    expect(intPipeline('mitaka')).toEqual({ next: 'NORMAL', afterMacSpoof: 'NORMAL' });
    expect(intPipeline('ocata')).toEqual({ next: 'NORMAL', afterMacSpoof: 'NORMAL' });
    expect(intPipeline('pike')).toEqual({ next: 'resubmit(,60)', afterMacSpoof: 'resubmit(,60)' });
    expect(intPipeline('xena')).toEqual({ next: 'resubmit(,60)', afterMacSpoof: 'resubmit(,60)' });
    expect(intPipeline('yoga')).toEqual({ next: 'resubmit(,60)', afterMacSpoof: 'resubmit(,30)' });
    expect(intPipeline('2023.1')).toEqual({ next: 'resubmit(,60)', afterMacSpoof: 'resubmit(,30)' });
    expect(intPipeline('2023.2')).toEqual({ next: 'resubmit(,58)', afterMacSpoof: 'resubmit(,30)' });
  });
});

describe('br-int by release', () => {
  const qvo = deviceName.qvo(port(seed, 'vm1:0').id);
  const tables = (lines: string[]) => [...new Set(lines.map((l) => Number(/^table=(\d+)/.exec(l)?.[1] ?? 0)))];

  it('2024.1: 58 → 60 with priority 3, tables 30/31 and 62', () => {
    const f = brInt('2024.1');
    expect(tables(f)).toEqual([0, 23, 24, 25, 30, 31, 58, 60, 62]);
    expect(f).toContain('table=60, priority=3 actions=NORMAL');
  });

  it('2024.2: table 60 NORMAL at priority 1', () => {
    const f = brInt('2024.2');
    expect(f).toContain('table=60, priority=1 actions=NORMAL');
    expect(f).not.toContain('table=60, priority=3 actions=NORMAL');
    expect(f).toContain('priority=0 actions=resubmit(,58)');
  });

  it('2023.1 (and Yoga): no table 58, everything goes to 60, table 25 to 30', () => {
    const f = brInt('2023.1');
    expect(tables(f)).toEqual([0, 23, 24, 25, 30, 31, 60, 62]);
    expect(f).toContain('priority=0 actions=resubmit(,60)');
    expect(f).toContain(`table=25, priority=2,in_port="${qvo}",dl_src=${port(seed, 'vm1:0').mac} actions=resubmit(,30)`);
    expect(f).toContain('table=30, priority=0 actions=resubmit(,60)');
  });

  it('Train: transient table 60, no Local IP tables, no table 62', () => {
    const f = brInt('train');
    expect(tables(f)).toEqual([0, 23, 24, 25, 60]);
    expect(f).toContain(`table=25, priority=2,in_port="${qvo}",dl_src=${port(seed, 'vm1:0').mac} actions=resubmit(,60)`);
    // Train's native driver wrote the dead-VLAN drop without the 802.1Q-present bit (fixed in Yoga).
    expect(f).toContain('priority=65535,vlan_tci=0x0fff/0x1fff actions=drop');
  });

  it('Mitaka: NORMAL everywhere, no dead-VLAN flow, no transient table', () => {
    const f = brInt('mitaka');
    expect(tables(f)).toEqual([0, 23, 24, 25]);
    expect(f).toContain('priority=0 actions=NORMAL');
    expect(f.some((l) => l.includes('dl_vlan=4095') || l.includes('vlan_tci=0x0fff'))).toBe(false);
    expect(f).toContain(`table=25, priority=2,in_port="${qvo}",dl_src=${port(seed, 'vm1:0').mac} actions=NORMAL`);
    expect(f.find((l) => l.startsWith('table=24, priority=2,icmp6'))).toMatch(/ actions=NORMAL$/);
    const nn = brInt('mitaka', 'network1');
    expect(nn).toContain('priority=3,in_port="int-br-ex",vlan_tci=0x0000/0x1fff actions=mod_vlan_vid:1,NORMAL');
  });
});
