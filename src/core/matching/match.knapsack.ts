/**
 * A bound for completions that must still gather something: a share of the missing
 * capacity (each newcomer's share rounded up in its favour) and, when only a few cells are
 * left, those exact cells. Whatever else a completion does, its members must meet both, so
 * the best sum of member bounds over at most `room` members that meet them is an upper
 * bound. That is a small knapsack with a cardinality limit, solved exactly by dynamic
 * programming over (members, shares so far capped at the need, cells gathered).
 *
 * An item can only matter if fewer than `room` items with the same cells and at least its
 * share are worth more (otherwise swap it for an unused one of those), which keeps the item
 * list short.
 */
export class RequirementKnapsack {
  private table = new Float64Array(0);
  private reach = new Float64Array(0);
  private bucketLen = new Int32Array(0);
  private bucketVals = new Float64Array(0);
  private need = 0;
  private room = 0;
  private masks = 1;

  /**
   * Items are candidates `ids[0..len)` with `shares[id]`, cell masks `cells[id]` (bits below
   * `cellBits`) and `values[id]`. Returns the best total value of at most `room` items whose
   * shares reach `need` and whose masks together have all `cellBits` bits; -Infinity if none.
   */
  solve(
    shares: ArrayLike<number>,
    cells: ArrayLike<number>,
    values: ArrayLike<number>,
    ids: ArrayLike<number>,
    len: number,
    need: number,
    cellBits: number,
    room: number,
  ): number {
    this.need = need;
    this.room = room;
    const masks = 1 << cellBits;
    this.masks = masks;
    const width = need + 1;
    const keys = width * masks;
    if (this.bucketLen.length < keys || this.bucketVals.length < keys * room) {
      this.bucketLen = new Int32Array(keys);
      this.bucketVals = new Float64Array(keys * Math.max(room, 8));
    }
    const lens = this.bucketLen;
    const vals = this.bucketVals;
    lens.fill(0, 0, keys);
    for (let i = 0; i < len; i++) {
      const id = ids[i]!;
      const key = Math.min(need, shares[id]!) * masks + (cells[id]! & (masks - 1));
      const v = values[id]!;
      const at = key * room;
      const n = lens[key]!;
      if (n < room) {
        vals[at + n] = v;
        lens[key] = n + 1;
        continue;
      }
      let low = at;
      for (let b = at + 1; b < at + room; b++) if (vals[b]! < vals[low]!) low = b;
      if (v > vals[low]!) vals[low] = v;
    }

    const layer = width * masks;
    const size = (room + 1) * layer;
    if (this.table.length < size) this.table = new Float64Array(size);
    const t = this.table;
    t.fill(-Infinity, 0, size);
    t[0] = 0;
    // Largest shares first: an item is worth trying only if fewer than `room` items with a
    // larger share and the same cells beat it.
    const ahead: number[][] = Array.from({ length: masks }, () => []);
    const bucket: number[] = [];
    for (let key = keys - 1; key >= 0; key--) {
      const n = lens[key]!;
      if (n === 0) continue;
      const share = Math.floor(key / masks);
      const mask = key % masks;
      bucket.length = 0;
      for (let b = 0; b < n; b++) bucket.push(vals[key * room + b]!);
      bucket.sort((x, y) => y - x);
      const higher = ahead[mask]!;
      const bar = higher.length < room ? -Infinity : higher[room - 1]!;
      for (const v of bucket) {
        if (v <= bar) break;
        this.addItem(share, mask, v);
      }
      ahead[mask] = mergeTop(higher, bucket, room);
    }
    let result = -Infinity;
    const full = masks - 1;
    for (let j = 1; j <= room; j++) result = Math.max(result, t[j * layer + need * masks + full]!);
    this.prepareReach();
    return result;
  }

  private addItem(share: number, mask: number, v: number): void {
    const { need, masks, room } = this;
    const width = need + 1;
    const layer = width * masks;
    const t = this.table;
    for (let j = room; j >= 1; j--) {
      const from = (j - 1) * layer;
      const to = j * layer;
      for (let s = need; s >= 0; s--) {
        const ns = Math.min(need, s + share);
        for (let m = 0; m < masks; m++) {
          const prev = t[from + s * masks + m]!;
          if (prev === -Infinity) continue;
          const at = to + ns * masks + (m | mask);
          if (prev + v > t[at]!) t[at] = prev + v;
        }
      }
    }
  }

  /**
   * Best value of at most room - 1 further items bringing at least `stillNeeded` shares and
   * every cell outside `has`; bounds completions that include an item with those. The item
   * may be counted again, which only loosens the bound.
   */
  rest(stillNeeded: number, has: number): number {
    const s = Math.max(0, Math.min(this.need, stillNeeded));
    const missing = (this.masks - 1) & ~has;
    return this.reach[s * this.masks + missing]!;
  }

  /** reach[s][m]: best over j < room, shares ≥ s, cells ⊇ m. */
  private prepareReach(): void {
    const { need, masks, room } = this;
    const width = need + 1;
    const layer = width * masks;
    if (this.reach.length < layer) this.reach = new Float64Array(layer);
    const r = this.reach;
    r.fill(-Infinity, 0, layer);
    const t = this.table;
    for (let j = 0; j < room; j++) {
      for (let i = 0; i < layer; i++) if (t[j * layer + i]! > r[i]!) r[i] = t[j * layer + i]!;
    }
    for (let s = need - 1; s >= 0; s--) {
      for (let m = 0; m < masks; m++) {
        const up = r[(s + 1) * masks + m]!;
        if (up > r[s * masks + m]!) r[s * masks + m] = up;
      }
    }
    for (let bit = 1; bit < masks; bit <<= 1) {
      for (let s = 0; s <= need; s++) {
        for (let m = 0; m < masks; m++) {
          if ((m & bit) !== 0) continue;
          const sup = r[s * masks + (m | bit)]!;
          if (sup > r[s * masks + m]!) r[s * masks + m] = sup;
        }
      }
    }
  }
}

/** The `room` largest of two descending lists, descending. */
function mergeTop(a: number[], b: number[], room: number): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (out.length < room && (i < a.length || j < b.length)) {
    if (j >= b.length || (i < a.length && a[i]! >= b[j]!)) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}
