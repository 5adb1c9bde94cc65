/**
 * Lists the read cache hands out shared (the same array until the records change), indexed
 * by a key once per list rather than searched on every call.
 */
export class SharedIndex<V, K> {
  private readonly indexes = new WeakMap<readonly V[], Map<K, V[]>>();

  constructor(private readonly keyOf: (v: V) => K) {}

  /** The list's records with this key, in list order (shared: read them, never change them). */
  get(list: readonly V[], key: K): readonly V[] {
    let index = this.indexes.get(list);
    if (!index) {
      index = new Map();
      for (const v of list) {
        const k = this.keyOf(v);
        const found = index.get(k);
        if (found) found.push(v);
        else index.set(k, [v]);
      }
      this.indexes.set(list, index);
    }
    return index.get(key) ?? [];
  }
}
