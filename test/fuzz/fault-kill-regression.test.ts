// A fault-kill case's regression file names the fault classes it asks (`# classes:`): read back, a case
// asks only those; a name that is no fault class is refused, saying which; and a case read back from
// a file writes the same classes again.
import { describe, expect, it } from 'vitest';
import { classesArg, faultKillProperty } from './properties/fault-kill.ts';
import { formatRegression, parseRegression } from './regression-file.ts';

const TOPOLOGY = 'hosts: {}\n';

describe('fault-kill regression files', () => {
  it('read `# classes:` as the classes the case asks, and write them back', () => {
    const p = faultKillProperty();
    const text = formatRegression('fault-kill', { topology: TOPOLOGY, args: { site: '7', classes: 'flow-deleted, route-deleted' } }, ['found: x']);
    const c = p.fromRegression(parseRegression(text, 'x.yaml'));
    expect(c.site).toBe(7);
    expect(c.classes).toEqual(['flow-deleted', 'route-deleted']);
    expect(p.toRegression(c).args).toEqual({ site: '7', classes: 'flow-deleted, route-deleted' });
  });

  it('without `# classes:`, a case asks every class', () => {
    const p = faultKillProperty();
    const c = p.fromRegression(parseRegression(formatRegression('fault-kill', { topology: TOPOLOGY, args: { site: '3' } }, []), 'x.yaml'));
    expect(c.classes).toBeUndefined();
    expect(p.toRegression(c).args).toEqual({ site: '3' });
  });

  it('refuse a name that is no fault class, and an empty list', () => {
    expect(() => classesArg('flow-deleted, flows-deleted')).toThrow(/no fault class flows-deleted/);
    expect(() => classesArg(' , ')).toThrow(/empty/);
    expect(classesArg(undefined)).toBeUndefined();
  });
});
