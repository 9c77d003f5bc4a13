import { describe, expect, it } from 'vitest';
import { emptyBuild, fill, instantiate } from '../../src/render/linux/engine.ts';
import { releaseIn, releaseRank } from '../../src/render/linux/release.ts';
import { writeIptablesSave } from '../../src/render/linux/iptables-save.ts';
import { chain, group, rule, type Item } from '../../src/render/linux/template.ts';
import { LineWriter } from '../../src/render/linux/text.ts';

describe('template engine', () => {
  it('fills placeholders and refuses a missing one', () => {
    expect(fill('-s {ip}/32 -j {t}', { ip: '10.0.0.1', t: 'RETURN' })).toBe('-s 10.0.0.1/32 -j RETURN');
    expect(() => fill('-s {ip}/32', {})).toThrow(/\{ip\}/);
  });

  it('instantiates groups per item, in order, honouring flags and release bounds', () => {
    const root: Item = {
      vars: {},
      neutron: 'root',
      scopes: {
        port: [
          { vars: { c: 'p1' }, neutron: 'port 1', flags: { on: true } },
          { vars: { c: 'p2' }, neutron: 'port 2', flags: { on: false } },
        ],
      },
    };
    const b = instantiate(
      emptyBuild(),
      [
        {
          each: 'port',
          entries: [
            chain('filter', 'x-{c}'),
            rule('filter', 'FORWARD', '-j x-{c}', 'jump {c}'),
            group({ when: 'on', entries: [rule('filter', 'x-{c}', '-j ACCEPT', 'on')] }),
            group({ when: '!on', entries: [rule('filter', 'x-{c}', '-j DROP', 'off')] }),
            group({ since: 'train', entries: [rule('filter', 'x-{c}', '-m comment --comment "new" -j RETURN', 'new')] }),
            group({ until: 'train', entries: [rule('filter', 'x-{c}', '-j RETURN', 'old')] }),
          ],
        },
      ],
      root,
      '2024.1',
    );
    const w = new LineWriter();
    writeIptablesSave(w, b);
    const a = w.artifact('h/iptables-save');
    expect(a.text.split('\n').filter((l) => !l.startsWith('#'))).toEqual([
      '*filter',
      ':INPUT ACCEPT [0:0]',
      ':FORWARD ACCEPT [0:0]',
      ':OUTPUT ACCEPT [0:0]',
      ':x-p1 - [0:0]',
      ':x-p2 - [0:0]',
      '-A FORWARD -j x-p1',
      '-A FORWARD -j x-p2',
      '-A x-p1 -j ACCEPT',
      '-A x-p1 -m comment --comment "new" -j RETURN',
      '-A x-p2 -j DROP',
      '-A x-p2 -m comment --comment "new" -j RETURN',
      'COMMIT',
      '',
    ]);
    const line = a.text.split('\n').indexOf('-A FORWARD -j x-p2') + 1;
    expect(a.provenance.get(line)).toEqual({ neutron: 'port 2', why: 'jump p2' });
  });

  it('sorts user chains in byte order, as iptables-save does', () => {
    const b = instantiate(emptyBuild(), [{ entries: [chain('raw', 'n-b'), chain('raw', 'n-B'), chain('raw', 'n-a')] }], { vars: {}, neutron: '' }, 'queens');
    const w = new LineWriter();
    writeIptablesSave(w, b);
    expect(w.artifact('x').text).toMatch(/:n-B - \[0:0\]\n:n-a - \[0:0\]\n:n-b - \[0:0\]/);
  });
});

describe('releases', () => {
  it('orders series names, year names and version tags together', () => {
    expect(releaseRank('newton')).toBeLessThan(releaseRank('queens'));
    expect(releaseRank('12.0.0')).toBe(releaseRank('queens'));
    expect(releaseRank('22.0.0')).toBe(releaseRank('2023.1'));
    expect(releaseRank('2024.1')).toBeGreaterThan(releaseRank('2023.2'));
    expect(releaseIn('2024.1', 'train', undefined)).toBe(true);
    expect(releaseIn('stein', 'train', undefined)).toBe(false);
    expect(releaseIn('stein', undefined, 'train')).toBe(true);
  });
});
