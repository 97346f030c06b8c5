// `k6/data`: a SharedArray is the array its function returns (one VU here, nothing to share).
export class SharedArray<T> {
  constructor(name: string, fn: () => T[]) {
    const data = fn();
    if (!Array.isArray(data)) throw new Error(`SharedArray ${name}: the function must return an array`);
    // biome-ignore lint/correctness/noConstructorReturn: k6's SharedArray is used as the array itself.
    return Object.freeze(data) as unknown as SharedArray<T>;
  }
}
export default { SharedArray };
