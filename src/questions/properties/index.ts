// The built-in invariants of `netproof verify`, in the order they are reported (the list).
// Each module says what it checks, how (solver, rule check or evaluator traces) and per which subject.
import type { PropertyCheck } from '../property.ts';
import { natEgress } from './nat-egress.ts';
import { fipIngress } from './fip-ingress.ts';
import { projectIsolation } from './project-isolation.ts';
import { segmentIsolation } from './segment-isolation.ts';
import { loopFree } from './loop-free.ts';
import { dhcp } from './dhcp.ts';
import { gateway } from './gateway.ts';
import { securityGroups } from './security-groups.ts';
import { antiSpoofing } from './anti-spoofing.ts';
import { eastWest } from './east-west.ts';

export const BUILTIN_PROPERTIES: readonly PropertyCheck[] = [natEgress, fipIngress, projectIsolation, segmentIsolation, loopFree, dhcp, gateway, securityGroups, antiSpoofing, eastWest];
