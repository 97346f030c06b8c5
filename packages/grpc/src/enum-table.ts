/**
 * A two-way table between a proto enum's numbers and the domain's words, typed by both: `proto()`
 * answers the enum's own type (the generated union, 0 for `_UNSPECIFIED`), so an adapter assigns
 * it to a message field without a cast. 0 and unknown numbers map to undefined in `domain()`, so
 * the adapter can name the field in an INVALID_ARGUMENT.
 */
export function enumTable<P extends number, D extends string>(pairs: [P, D][]) {
  const toDomain = new Map<number, D>(pairs);
  const toProto = new Map<D, P>(pairs.map(([n, d]) => [d, n]));
  return {
    domain: (n: number): D | undefined => toDomain.get(n),
    proto: (d: D | undefined): P | 0 => (d === undefined ? 0 : (toProto.get(d) ?? 0)),
  };
}
