// The parsers of the real artifact formats into the IR: one per tool output, each a pure
// `(text, file) => { value, warnings }`, plus the dispatchers by file name and by content.
export type { Parsed, ParseWarningCode } from './parsed.ts';
export { PARSE_WARNING } from './parsed.ts';
export { parseDumpFlows, parseFlowLine, OFP_DEFAULT_PRIORITY } from './ofctl-flows.ts';
export { parseAction, parseActions } from './ofctl-actions.ts';
export { parseLearn } from './ofctl-learn.ts';
export { parsePortRef, OFPP_LOCAL } from './ofctl-match.ts';
export { parseOvsVsctlShow, type VsctlShow, type VsctlBridge } from './ovs-vsctl-show.ts';
export { parseOfctlShow } from './ofctl-show.ts';
export { parseIptablesSave, parseIptablesS, isIptablesListing } from './iptables-save.ts';
export { parseRuleSpec } from './iptables-rule.ts';
export { parseIpsetSave } from './ipset-save.ts';
export { parseIpAddr } from './ip-addr.ts';
export { parseIpRoute } from './ip-route.ts';
export { parseBrctlShow, type BrctlOptions } from './brctl-show.ts';
export { parseKeepalivedConf } from './keepalived-conf.ts';
export { detectFormat, guessIptablesTable, splitSections, type ArtifactFormat, type Section } from './detect.ts';
export {
  parseAs,
  parseArtifactFile,
  parseCapture,
  type ParsedContent,
  type ParsedText,
  type ParsedArtifact,
  type DetectedSection,
} from './dispatch.ts';
export { parseBridgeLink } from './bridge-link.ts';
export { parseIpRule, type IpRule } from './ip-rule.ts';
export { parseIpRouteAll, type RoutingTables } from './ip-route-all.ts';
