// The property language of `verify --properties` (docs/properties.md): a YAML list of
//   { name, reach: { from, to, proto?, sport?, dport? }, expect: reachable|unreachable, bidirectional? }
//   { name, isolate: { from, to } }
// The schemas are strict (an unknown field is an error, not ignored) so a typo never turns a
// property into a weaker one.
import * as z from 'zod';

const Port = z.union([z.int().min(0).max(65535), z.string().regex(/^\d{1,5}-\d{1,5}$/, 'a port or a range "LOW-HIGH"')]);
const Proto = z.union([z.enum(['tcp', 'udp', 'icmp', 'sctp', 'dccp', 'udplite', 'any']), z.int().min(0).max(255)]);
const Endpoint = z.string().min(1);

export const ReachItemSchema = z.strictObject({
  name: z.string().min(1),
  reach: z.strictObject({ from: Endpoint, to: Endpoint, proto: Proto.optional(), sport: Port.optional(), dport: Port.optional() }),
  expect: z.enum(['reachable', 'unreachable']),
  bidirectional: z.boolean().optional(),
});

export const IsolateItemSchema = z.strictObject({
  name: z.string().min(1),
  isolate: z.strictObject({ from: Endpoint, to: Endpoint }),
});

export type ReachItem = z.infer<typeof ReachItemSchema>;
export type IsolateItem = z.infer<typeof IsolateItemSchema>;
