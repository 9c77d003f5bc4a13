// Where a packet that got somewhere was delivered, in the words both engines end a path with: a VM's
// port, a namespace (a router or a DHCP server took it), or the outside world beyond an external network.
export type Delivery =
  | { readonly kind: 'vm'; readonly vm: string; readonly port: number; readonly host: string }
  | { readonly kind: 'namespace'; readonly namespace: string; readonly host: string }
  | { readonly kind: 'external'; readonly network: string };
