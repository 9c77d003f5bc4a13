// docs/cloud-directory.md against src/cloud/layout.ts: the page lists every name the code defines, with
// the command the code runs for it, and names nothing the code does not define.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  API_DIRS,
  API_FILES,
  API_SOURCES,
  BRIDGE_FILE_PREFIX,
  DHCP_FILES,
  HOST_COMMANDS,
  HOST_DIRS,
  HOST_FILES,
  INI_FILES,
  KEEPALIVED_FILES,
  NETNS_FILES,
  allLayoutNames,
} from '../../src/cloud/layout.ts';

const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'cloud-directory.md'), 'utf8');

/** The first cell of every table row under a `## heading`, without backticks, with the rest of the row. */
function rows(heading: string): { name: string; rest: string }[] {
  const start = doc.indexOf(`## ${heading}`);
  expect(start, `section "## ${heading}"`).toBeGreaterThanOrEqual(0);
  const end = doc.indexOf('\n## ', start + 3);
  const section = doc.slice(start, end < 0 ? undefined : end);
  return section
    .split('\n')
    .filter((l) => /^\| `/.test(l))
    .map((l) => {
      const cells = l.split('|').map((c) => c.trim());
      return { name: (cells[1] ?? '').replace(/`/g, ''), rest: cells.slice(2).join('|') };
    });
}

describe('docs/cloud-directory.md', () => {
  it('mentions every name of the layout', () => {
    const missing = allLayoutNames().filter((n) => !doc.includes(`\`${n}\``) && !doc.includes(`\`${n}<`) && !doc.includes(`${n}/`));
    expect(missing).toEqual([]);
  });

  it('lists exactly the API files of the layout, each with its request', () => {
    const listed = rows('`api/`');
    const expected = [
      ...Object.entries(API_FILES).map(([k, f]) => ({ name: f, source: API_SOURCES[k as keyof typeof API_SOURCES] })),
      { name: `${API_DIRS.l3Agents}/<router id>.json`, source: API_SOURCES.l3Agents },
      { name: `${API_DIRS.dhcpAgents}/<network id>.json`, source: API_SOURCES.dhcpAgents },
      { name: `${API_DIRS.portForwardings}/<floating ip id>.json`, source: API_SOURCES.portForwardings },
    ];
    expect(listed.map((r) => r.name).sort()).toEqual(expected.map((e) => e.name).sort());
    for (const e of expected) {
      if (e.name === API_FILES.log) continue;
      expect(listed.find((r) => r.name === e.name)?.rest, e.name).toContain(e.source);
    }
  });

  it('lists exactly the host files of the layout, each with the command the script runs', () => {
    const listed = rows('`hosts/<host>/`').filter((r) => !Object.values(HOST_DIRS).includes(r.name as never));
    const expected = [
      ...Object.entries(HOST_FILES).map(([k, f]) => ({ name: f, command: HOST_COMMANDS[k as keyof typeof HOST_COMMANDS] })),
      { name: `${BRIDGE_FILE_PREFIX.dumpFlows}<bridge>`, command: 'ovs-ofctl -O OpenFlow13 --names dump-flows <bridge>' },
      { name: `${BRIDGE_FILE_PREFIX.ofctlShow}<bridge>`, command: 'ovs-ofctl show <bridge>' },
    ];
    expect(listed.map((r) => r.name).sort()).toEqual(expected.map((e) => e.name).sort());
    for (const e of expected) {
      if (e.name === HOST_FILES.log || e.name === HOST_FILES.hostname) continue;
      expect(listed.find((r) => r.name === e.name)?.rest, e.name).toContain(e.command);
    }
  });

  it('lists exactly the sub-folders of a host, each with its files', () => {
    const folders = rows('`hosts/<host>/`').filter((r) => Object.values(HOST_DIRS).includes(r.name as never));
    expect(folders.map((r) => r.name).sort()).toEqual(Object.values(HOST_DIRS).sort());
    const filesOf: Record<string, readonly string[]> = {
      [HOST_DIRS.netns]: Object.values(NETNS_FILES),
      [HOST_DIRS.keepalived]: Object.values(KEEPALIVED_FILES),
      [HOST_DIRS.dhcp]: Object.values(DHCP_FILES),
      [HOST_DIRS.etc]: Object.values(INI_FILES),
    };
    for (const f of folders) for (const file of filesOf[f.name] ?? []) expect(f.rest, `${f.name}/${file}`).toContain(`\`${file}\``);
  });
});
