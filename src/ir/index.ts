// The dataplane IR: one module of readonly, kind-tagged types (no behaviour).
export type * from './packet.ts';
export type * from './origin.ts';
export type * from './openflow.ts';
export type * from './netfilter.ts';
export type * from './dataplane.ts';
export type * from './vrrp.ts';
export { ETH_TYPE, IP_PROTO, BROADCAST_MAC } from './packet.ts';
