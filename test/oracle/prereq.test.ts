// The gate every suite needing root or system tools goes through (prereq.ts): what is missing is
// found, a developer's machine skips with one line naming it, and NETPROOF_REQUIRE_ORACLE=1 (CI) turns
// the same absence into a failure — so CI can never go green by skipping.
import { describe, expect, it } from 'vitest';
import { findExecutable, gateDecision, missingPrerequisites } from './prereq.ts';

describe('the prerequisite gate', () => {
  it('finds an executable every machine has and not one no machine has', () => {
    expect(findExecutable('node') ?? findExecutable('sh')).not.toBeNull();
    expect(findExecutable('netproof-no-such-tool-7f3a')).toBeNull();
  });

  it('asks for root for namespace tools, not for a browser', () => {
    expect(missingPrerequisites(['ip'], false)).toContain('root');
    expect(missingPrerequisites(['chromium'], false)).not.toContain('root');
    expect(missingPrerequisites(['ip'], true)).not.toContain('root');
  });

  const missing = ['root', 'ovs-vswitchd (Debian package openvswitch-switch)'];

  it('skips with one line naming the suite and what it needs', () => {
    const d = gateDecision('oracle: x', ['ovs'], missing, {});
    expect(d).toEqual({ kind: 'skip', line: 'skipped: "oracle: x" needs root; ovs-vswitchd (Debian package openvswitch-switch)' });
  });

  it('fails instead when NETPROOF_REQUIRE_ORACLE=1, saying what to install', () => {
    const d = gateDecision('oracle: x', ['ovs', 'keepalived'], missing, { NETPROOF_REQUIRE_ORACLE: '1' });
    expect(d.kind).toBe('fail');
    expect(d.kind !== 'run' && d.line).toContain('apt-get install -y openvswitch-switch keepalived');
  });

  it('runs when nothing is missing; NETPROOF_SKIP_ORACLE=1 skips, but not when required', () => {
    expect(gateDecision('oracle: x', ['ovs'], [], {})).toEqual({ kind: 'run' });
    expect(gateDecision('oracle: x', ['ovs'], [], { NETPROOF_SKIP_ORACLE: '1' }).kind).toBe('skip');
    expect(gateDecision('oracle: x', ['ovs'], [], { NETPROOF_SKIP_ORACLE: '1', NETPROOF_REQUIRE_ORACLE: '1' }).kind).toBe('fail');
  });
});
