// `learn(...)` of an `ovs-ofctl dump-flows` action list → LearnSpec, for the one shape Neutron
// installs in br-tun table 10 (learn the sender's MAC and tunnel into table 20). Any other
// learn gives null, which the caller keeps with a warning: its effect is then unknown.
import type { LearnSpec } from '../ir/openflow.ts';
import { splitTopLevel } from './lex.ts';
import { parseIntAuto } from './values.ts';

type MutableLearn = { -readonly [K in keyof LearnSpec]: LearnSpec[K] };

/**
 * Reads the inside of `learn(…)` (without the parentheses). Returns the spec, or the first
 * argument that is not part of the Neutron shape.
 */
export function parseLearn(inner: string): { spec: LearnSpec } | { unsupported: string } {
  // OVS defaults: table 1, priority 32768, no hard timeout.
  const spec: MutableLearn = {
    table: 1,
    priority: 32768,
    hardTimeout: null,
    matchVlanFromPacket: false,
    matchDstFromSrc: false,
    stripVlan: false,
    copyTunId: false,
    outputToInPort: false,
  };
  for (const rawArg of splitTopLevel(inner, ',')) {
    const arg = rawArg.trim();
    if (arg === '') continue;
    const num = /^(table|priority|hard_timeout|idle_timeout|cookie)=(\S+)$/.exec(arg);
    if (num) {
      const v = parseIntAuto(num[2] as string);
      if (v === null) return { unsupported: arg };
      if (num[1] === 'table') spec.table = v;
      else if (num[1] === 'priority') spec.priority = v;
      else if (num[1] === 'hard_timeout') spec.hardTimeout = v;
      // The learned flow's cookie and idle timeout do not change what it forwards.
      continue;
    }
    switch (arg) {
      case 'NXM_OF_VLAN_TCI[0..11]':
      case 'OXM_OF_VLAN_VID[0..11]':
        spec.matchVlanFromPacket = true;
        break;
      case 'NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[]':
      case 'OXM_OF_ETH_DST[]=OXM_OF_ETH_SRC[]':
        spec.matchDstFromSrc = true;
        break;
      case 'load:0->NXM_OF_VLAN_TCI[]':
        spec.stripVlan = true;
        break;
      case 'load:NXM_NX_TUN_ID[]->NXM_NX_TUN_ID[]':
        spec.copyTunId = true;
        break;
      case 'output:OXM_OF_IN_PORT[]':
      case 'output:NXM_OF_IN_PORT[]':
        spec.outputToInPort = true;
        break;
      default:
        return { unsupported: arg };
    }
  }
  return { spec };
}
