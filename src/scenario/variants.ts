// Which choices of masters a question must be asked under, kept affordable. Masters of HA routers that
// cannot interact are independent: a packet's path crosses the routers of one interaction class only
// (below), so a property of one subject is settled once every combination of its class's masters was
// asked — whatever the other classes' masters were meanwhile. So:
//  - the built-in properties, each about packets that stay within one class (they do not follow a
//    packet past another router's external address: the near scope), are asked on the "diagonal":
//    variant i takes combination i (modulo its count) of every class, and the number of variants is the
//    largest class's number of combinations, not their product;
//  - a question whose endpoints lie behind routers of several classes (a query, a user property) is
//    asked on every combination of those classes' masters (the others at the model's first choice).
// Two HA routers are in one class when they are in one VRRP group (a VRID clash), share a network that
// is not external (a packet can go from one to the other without leaving through an external
// network), or one of them has extra routes (a next hop may be the other, anywhere it is attached).
// Every combination within a class of every group's stable states is enumerated, up to MAX_VARIANTS;
// beyond that the question is not settled (the caller says so).
import type { ScenarioContext, Variant } from './context.ts';

export const MAX_VARIANTS = 256;

const classesOf = new WeakMap<ScenarioContext, number[][]>();

/** Group indexes, per interaction class (worked out once per context). */
export function interactionClasses(ctx: ScenarioContext): number[][] {
  let c = classesOf.get(ctx);
  if (c === undefined) classesOf.set(ctx, (c = classesIn(ctx)));
  return c;
}

function classesIn(ctx: ScenarioContext): number[][] {
  const routersOf = ctx.groups.map((g) => ctx.haRouters.filter((r) => g.members.some((m) => [...r.sites.values()].includes(m))));
  const nets = (r: (typeof ctx.haRouters)[number]['router']) => new Set(r.interfaces.map((i) => i.network));
  const external = new Set(ctx.topology.networks.filter((n) => n.external).map((n) => n.name));
  const interact = (a: (typeof ctx.haRouters)[number]['router'], b: (typeof ctx.haRouters)[number]['router']): boolean => {
    if (a === b) return true;
    const na = nets(a);
    const nb = nets(b);
    if ([...na].some((n) => nb.has(n) && !external.has(n))) return true;
    const all = (r: typeof a) => new Set([...nets(r), ...(r.gateway ? [r.gateway.network] : [])]);
    const shareAny = [...all(a)].some((n) => all(b).has(n));
    return shareAny && (a.routes.length > 0 || b.routes.length > 0);
  };
  const parent = ctx.groups.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  for (let i = 0; i < ctx.groups.length; i++) {
    for (let j = i + 1; j < ctx.groups.length; j++) {
      if (routersOf[i]!.some((a) => routersOf[j]!.some((b) => interact(a.router, b.router)))) parent[find(i)] = find(j);
    }
  }
  const byRoot = new Map<number, number[]>();
  ctx.groups.forEach((_, i) => byRoot.set(find(i), [...(byRoot.get(find(i)) ?? []), i]));
  return [...byRoot.values()];
}

/** Every combination of the given groups' states, the model's first choice first. */
function combinations(ctx: ScenarioContext, groups: readonly number[], first: readonly number[]): number[][] {
  let out: number[][] = [[]];
  for (const g of groups) {
    const n = ctx.states[g]?.length ?? 1;
    const order = [first[g] ?? 0, ...Array.from({ length: n }, (_, i) => i).filter((i) => i !== (first[g] ?? 0))];
    out = out.flatMap((c) => order.map((i) => [...c, i]));
    if (out.length > MAX_VARIANTS) return out.slice(0, MAX_VARIANTS + 1);
  }
  return out;
}

export interface VariantPlan {
  readonly variants: readonly Variant[];
  /** False when some class had more than MAX_VARIANTS combinations (only the first were taken). */
  readonly complete: boolean;
  /** How many combinations of masters the variants cover, for messages. */
  readonly combinations: number;
}

const diagonalOf = new WeakMap<ScenarioContext, VariantPlan>();

/** The diagonal over the interaction classes (see above): enough for questions that stay within a class. Built once per context. */
export function diagonalVariants(ctx: ScenarioContext): VariantPlan {
  let plan = diagonalOf.get(ctx);
  if (plan === undefined) diagonalOf.set(ctx, (plan = diagonalIn(ctx)));
  return plan;
}

function diagonalIn(ctx: ScenarioContext): VariantPlan {
  const first = ctx.firstChoice();
  const classes = interactionClasses(ctx).map((groups) => ({ groups, combos: combinations(ctx, groups, first) }));
  const complete = classes.every((c) => c.combos.length <= MAX_VARIANTS);
  const n = Math.max(1, ...classes.map((c) => Math.min(c.combos.length, MAX_VARIANTS)));
  const variants: Variant[] = [];
  for (let i = 0; i < n; i++) {
    const choice = [...first];
    for (const c of classes) {
      const combo = c.combos[i % Math.min(c.combos.length, MAX_VARIANTS)] ?? [];
      c.groups.forEach((g, k) => { choice[g] = combo[k] ?? 0; });
    }
    variants.push(ctx.variant(choice));
  }
  return { variants, complete, combinations: classes.reduce((sum, c) => sum + c.combos.length, 0) };
}

/** The choices (per group, an index into its states) a product plan covers, built into variants only when asked. */
export interface ChoicePlan {
  readonly choices: readonly (readonly number[])[];
  readonly complete: boolean;
  readonly combinations: number;
}

/** Every combination of the masters of the classes holding `routers` (names); the rest at the first choice. */
export function productChoices(ctx: ScenarioContext, routers: ReadonlySet<string>): ChoicePlan {
  const first = ctx.firstChoice();
  const wanted = new Set(ctx.haRouters.filter((r) => routers.has(r.router.name)).flatMap((r) => r.groups));
  const groups = interactionClasses(ctx).filter((c) => c.some((g) => wanted.has(g))).flat();
  const combos = combinations(ctx, groups, first);
  const choices = combos.slice(0, MAX_VARIANTS).map((combo) => {
    const choice = [...first];
    groups.forEach((g, k) => { choice[g] = combo[k] ?? 0; });
    return choice;
  });
  return { choices, complete: combos.length <= MAX_VARIANTS, combinations: combos.length };
}

/** The same, every variant built (a question that asks under all of them). */
export function productVariants(ctx: ScenarioContext, routers: ReadonlySet<string>): VariantPlan {
  const plan = productChoices(ctx, routers);
  return { variants: plan.choices.map((c) => ctx.variant(c)), complete: plan.complete, combinations: plan.combinations };
}
