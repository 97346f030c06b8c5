/**
 * A two-way table between a proto enum's numbers and the domain's words. 0 (`_UNSPECIFIED`) and
 * unknown numbers map to undefined, so the adapter can name the field in an INVALID_ARGUMENT.
 */
export function enumTable<D extends string>(pairs: [number, D][]) {
  const toDomain = new Map(pairs);
  const toProto = new Map(pairs.map(([n, d]) => [d, n]));
  return {
    domain: (n: number): D | undefined => toDomain.get(n),
    proto: (d: D | undefined): number => (d === undefined ? 0 : (toProto.get(d) ?? 0)),
  };
}
