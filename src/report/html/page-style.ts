// The HTML report's stylesheet, inlined into the page (it must open with no network access): the
// verdict table, the picture of the cloud (by node and edge kind), a path lit up on it, and the steps.
export const PAGE_CSS = `
:root { --ok: #1e7d32; --bad: #b00020; --warn: #9a6700; --muted: #5f6368; --hl: #d93025; --line: #dadce0; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #202124; background: #fff; }
header { padding: 14px 20px 6px; border-bottom: 1px solid var(--line); }
header h1 { font-size: 18px; margin: 0 0 4px; }
header .cmd { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; color: var(--muted); }
.summary span { margin-right: 14px; }
main { padding: 10px 20px 24px; }
h2 { font-size: 15px; margin: 18px 0 8px; }
table.verdicts { border-collapse: collapse; width: 100%; font-size: 13px; }
table.verdicts th, table.verdicts td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
table.verdicts th { background: #f1f3f4; position: sticky; top: 0; }
table.verdicts td.message { color: #3c4043; }
tr.has-path { cursor: pointer; }
tr.has-path:hover { background: #f8f9fa; }
tr.selected { background: #fce8e6 !important; }
.verdict { font-weight: 600; white-space: nowrap; }
.v-holds, .v-reachable, .v-delivered, .v-exited { color: var(--ok); }
.v-violated, .v-dropped, .v-loop, .v-no-route, .v-no-arp { color: var(--bad); }
.v-unknown { color: var(--warn); }
.v-n\\/a, .v-waived, .v-unreachable { color: var(--muted); }
button.show { font: inherit; font-size: 12px; padding: 1px 8px; border: 1px solid var(--line); border-radius: 10px; background: #fff; cursor: pointer; }
.view { display: flex; gap: 16px; align-items: flex-start; }
.picture { flex: 1 1 auto; min-width: 0; overflow: auto; border: 1px solid var(--line); border-radius: 6px; max-height: 88vh; background: #fcfcfc; }
.picture.fit svg.cloud { max-width: 100%; height: auto; }
.steps { flex: 0 0 430px; max-height: 88vh; overflow: auto; font-size: 12.5px; }
.steps h3 { font-size: 13px; margin: 0 0 6px; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-weight: 600; }
.steps ol { list-style: none; padding: 0; margin: 0; }
.steps li { padding: 4px 6px; border-left: 3px solid var(--line); margin-bottom: 3px; }
.steps li:hover, .steps li.focus { background: #fef7e0; border-left-color: var(--hl); }
.steps li .n { display: inline-block; min-width: 20px; height: 18px; line-height: 18px; border-radius: 9px; background: var(--hl); color: #fff; text-align: center; font-size: 11px; margin-right: 6px; }
.steps li .more { color: var(--muted); display: block; margin-left: 26px; }
.steps li .rule { display: block; margin-left: 26px; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 11px; color: var(--bad); }
.steps .outcome { margin-top: 8px; padding: 6px; border-radius: 4px; font-weight: 600; }
.steps .outcome.ok { background: #e6f4ea; color: var(--ok); }
.steps .outcome.stop { background: #fce8e6; color: var(--bad); }
.steps .empty { color: var(--muted); }
svg.cloud { display: block; font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
svg.cloud text { fill: #202124; }
svg.cloud .host rect { fill: #f1f3f4; stroke: #9aa0a6; stroke-width: 1; }
svg.cloud .host-label.head { font-weight: 700; font-size: 12px; }
svg.cloud .host-title rect { fill: #f1f3f4; }
svg.cloud .host-label { fill: var(--muted); }
svg.cloud .host-label, svg.cloud .edge-label { paint-order: stroke; stroke: #f1f3f4; stroke-width: 3px; stroke-linejoin: round; }
svg.cloud .node rect { fill: #fff; stroke: #80868b; stroke-width: 1; }
svg.cloud .node .label.head { font-weight: 600; }
svg.cloud .k-ovs-bridge rect { fill: #e8f0fe; stroke: #1a73e8; }
svg.cloud .k-linux-bridge rect { fill: #fff; stroke: #80868b; }
svg.cloud .k-router rect { fill: #fff4d6; stroke: #b06000; }
svg.cloud .k-dhcp rect { fill: #fef7e0; stroke: #c58a00; }
svg.cloud .k-namespace rect { fill: #fef7e0; }
svg.cloud .k-vm rect { fill: #e6f4ea; stroke: #1e7d32; }
svg.cloud .k-physnet rect { fill: #f3e8fd; stroke: #8430ce; }
svg.cloud .k-outside rect { fill: #e8eaed; stroke: #3c4043; stroke-dasharray: 4 2; }
svg.cloud .edge path { fill: none; stroke: #9aa0a6; stroke-width: 1.2; }
svg.cloud .edge.k-tunnel path { stroke: #1a73e8; stroke-dasharray: 6 3; }
svg.cloud .edge.k-wire path { stroke: #8430ce; }
svg.cloud .edge-label { font-size: 9px; fill: #1a73e8; }
svg.cloud.lit .node:not(.hl):not(.copy) { opacity: 0.45; }
svg.cloud.lit .edge:not(.hl):not(.copy) { opacity: 0.35; }
svg.cloud .node.copy rect { stroke: var(--hl); stroke-width: 1.5; stroke-dasharray: 4 3; }
svg.cloud .edge.copy path { stroke: var(--hl); stroke-width: 1.5; stroke-dasharray: 5 4; opacity: 0.8; }
svg.cloud .node.hl rect { stroke: var(--hl); stroke-width: 2.5; }
svg.cloud .edge.hl path { stroke: var(--hl); stroke-width: 3; stroke-dasharray: none; }
svg.cloud .focus rect, svg.cloud .edge.focus path { stroke: #f9ab00 !important; stroke-width: 4 !important; }
svg.cloud .badge circle { fill: var(--hl); stroke: #fff; stroke-width: 1.5; }
svg.cloud .badge text { fill: #fff; font-size: 10px; font-weight: 700; text-anchor: middle; font-family: system-ui, sans-serif; }
ul.assumptions { font-size: 12.5px; color: #3c4043; }
`;
