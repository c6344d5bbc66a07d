/**
 * VADER's `_but_check`: sentiment before the first "but" counts half, after it one and a half
 * times. The reference walks the list and rescales the value it finds with `list.index`, that is
 * the *first* element equal to the current one: of equal values the first is rescaled (possibly
 * several times) and the others are left as they are. Scores depend on that, so it is kept.
 *
 * Done literally this is quadratic in the number of words, which a long text (interactions may
 * hold a million characters) turns into minutes; {@link applyButRule} gives the same result in
 * O(n log n) once a text is long.
 */

/** Below this many words the literal walk is faster than building the index. */
const LITERAL_WALK_LIMIT = 256;

/** Rescales `sentiments` in place around the first "but" among `lowerWords`. */
export function applyButRule(lowerWords: readonly string[], sentiments: number[]): void {
  const but = lowerWords.indexOf('but');
  if (but === -1) return;
  if (sentiments.length <= LITERAL_WALK_LIMIT) butRuleLiteral(sentiments, but);
  else butRuleIndexed(sentiments, but);
}

/** The reference's walk, step for step. */
export function butRuleLiteral(sentiments: number[], but: number): void {
  for (let k = 0; k < sentiments.length; k++) {
    const value = sentiments[k]!;
    const first = sentiments.indexOf(value);
    if (first < but) sentiments[first] = value * 0.5;
    else if (first > but) sentiments[first] = value * 1.5;
  }
}

/**
 * The same walk, finding "the first element equal to this value" from a min-heap of positions per
 * value instead of a scan. Zeros are skipped: rescaling a zero leaves it zero (with its sign), so
 * they never change anything.
 */
export function butRuleIndexed(sentiments: number[], but: number): void {
  const positions = new Map<number, MinHeap>();
  const heapOf = (value: number) => {
    let heap = positions.get(value);
    if (heap === undefined) {
      heap = new MinHeap();
      positions.set(value, heap);
    }
    return heap;
  };
  for (let i = 0; i < sentiments.length; i++) {
    const value = sentiments[i]!;
    if (value !== 0) heapOf(value).push(i);
  }
  for (let k = 0; k < sentiments.length; k++) {
    const value = sentiments[k]!;
    if (value === 0) continue;
    // Non-empty: position k itself holds `value`.
    const heap = positions.get(value)!;
    const first = heap.peek();
    if (first === but) continue;
    heap.pop();
    const rescaled = value * (first < but ? 0.5 : 1.5);
    sentiments[first] = rescaled;
    heapOf(rescaled).push(first);
  }
}

/** A binary min-heap of non-negative integers. */
class MinHeap {
  private readonly items: number[] = [];

  push(item: number): void {
    const items = this.items;
    let i = items.length;
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent]! <= item) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = item;
  }

  peek(): number {
    return this.items[0]!;
  }

  pop(): void {
    const items = this.items;
    const last = items.pop()!;
    const n = items.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && items[child + 1]! < items[child]!) child++;
      if (items[child]! >= last) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = last;
  }
}
