const NO_PARENT = -1;
const OUTSIDE = -2;

/**
 * What the first pass over a twcs file remembers: for every tweet only its id, author, inbound
 * flag and parent link, stored in flat arrays with interned authors, so that a file of millions
 * of tweets fits in memory while the tweets themselves (texts, dates) do not have to.
 */
export class TweetIndex {
  private readonly position = new Map<string, number>();
  private readonly ids: string[] = [];
  private readonly authorCodes: number[] = [];
  private readonly authors: string[] = [];
  private readonly authorCodeOf = new Map<string, number>();
  private readonly inbound: boolean[] = [];
  private parentIds: Array<string | undefined> = [];
  private parent = new Int32Array(0);
  private top = new Int32Array(0);
  /** In-file tweet index → id of its missing parent, for links that point outside the file. */
  private readonly outsideParent = new Map<number, string>();
  /** Thread top (index) → author code of the brand that speaks for the thread. */
  private readonly threadBrand = new Map<number, number>();
  /** Lower-cased brand handle → the brand's author id as written in the file. */
  private readonly brandByLowerHandle = new Map<string, string>();

  /** Records a tweet. Returns false when the id was already seen (the first row wins). */
  add(id: string, author: string, isInbound: boolean, parentId: string | undefined): boolean {
    if (this.position.has(id)) return false;
    this.position.set(id, this.ids.length);
    this.ids.push(id);
    let code = this.authorCodeOf.get(author);
    if (code === undefined) {
      code = this.authors.length;
      this.authors.push(author);
      this.authorCodeOf.set(author, code);
    }
    this.authorCodes.push(code);
    this.inbound.push(isInbound);
    this.parentIds.push(parentId);
    return true;
  }

  /**
   * Resolves parent links, thread tops and thread brands once every tweet is known (a reply can
   * come before the tweet it answers in the file).
   */
  finish(): void {
    const n = this.ids.length;
    this.parent = new Int32Array(n);
    for (let i = 0; i < n; i += 1) {
      const parentId = this.parentIds[i];
      if (parentId === undefined) {
        this.parent[i] = NO_PARENT;
        continue;
      }
      const p = this.position.get(parentId);
      if (p === undefined) {
        this.parent[i] = OUTSIDE;
        this.outsideParent.set(i, parentId);
      } else {
        // A tweet answering itself is a data error; treating it as a root keeps threads finite.
        this.parent[i] = p === i ? NO_PARENT : p;
      }
    }
    this.parentIds = [];
    this.resolveTops();
    this.resolveBrands();
  }

  private resolveTops(): void {
    const n = this.ids.length;
    this.top = new Int32Array(n).fill(-1);
    const visiting = new Uint8Array(n);
    const path: number[] = [];
    for (let i = 0; i < n; i += 1) {
      if (this.top[i]! >= 0) continue;
      let j = i;
      let found: number;
      for (;;) {
        if (this.top[j]! >= 0) {
          found = this.top[j]!;
          break;
        }
        // A cycle of in_response_to links has no top; the tweet where it closes becomes one.
        if (visiting[j] === 1) {
          found = j;
          break;
        }
        visiting[j] = 1;
        path.push(j);
        const p = this.parent[j]!;
        if (p < 0) {
          found = j;
          break;
        }
        j = p;
      }
      for (const k of path) {
        this.top[k] = found;
        visiting[k] = 0;
      }
      path.length = 0;
    }
  }

  /**
   * Picks one brand per thread: the brand with the most tweets in it, the earliest in the file on
   * a tie. One brand keeps the customer's side of a conversation under one account even when
   * several brands chime in (it happens: supermarkets joining one customer's thread).
   */
  private resolveBrands(): void {
    const counts = new Map<number, Map<number, number>>();
    for (let i = 0; i < this.ids.length; i += 1) {
      if (this.inbound[i]) continue;
      const code = this.authorCodes[i]!;
      const author = this.authors[code]!;
      this.brandByLowerHandle.set(author.toLowerCase(), author);
      const t = this.top[i]!;
      let perBrand = counts.get(t);
      if (!perBrand) {
        perBrand = new Map();
        counts.set(t, perBrand);
      }
      perBrand.set(code, (perBrand.get(code) ?? 0) + 1);
    }
    for (const [t, perBrand] of counts) {
      let best = -1;
      let bestCount = 0;
      // Map iteration follows insertion order, that is file order, so `>` keeps the earliest.
      for (const [code, count] of perBrand) {
        if (count > bestCount) {
          best = code;
          bestCount = count;
        }
      }
      this.threadBrand.set(t, best);
    }
  }

  /** Index of a tweet id in the file, or undefined when it is not in the file. */
  indexOf(id: string): number | undefined {
    return this.position.get(id);
  }

  /** Author of the tweet at `index`. */
  authorAt(index: number): string {
    return this.authors[this.authorCodes[index]!]!;
  }

  /** Whether the tweet at `index` is a customer tweet. */
  isInboundAt(index: number): boolean {
    return this.inbound[index]!;
  }

  /** The thread id of the tweet at `index`: its top tweet, or the missing tweet the top answers. */
  threadAt(index: number): string {
    const t = this.top[index]!;
    return this.outsideParent.get(t) ?? this.ids[t]!;
  }

  /** The brand speaking for the thread of the tweet at `index`, if any brand tweet is in it. */
  threadBrandAt(index: number): string | undefined {
    const code = this.threadBrand.get(this.top[index]!);
    return code === undefined ? undefined : this.authors[code];
  }

  /** The brand author id for a handle (any case), when that brand has a tweet in the file. */
  brandForHandle(handle: string): string | undefined {
    return this.brandByLowerHandle.get(handle.toLowerCase());
  }

  /**
   * The customer a brand tweet answers: the author of the nearest customer tweet up its chain of
   * replies. Usually that is the parent; when a brand continues its own previous reply, the
   * customer is one step further up. Undefined when the chain leaves the file first.
   */
  customerAnsweredBy(index: number): string | undefined {
    let j = this.parent[index]!;
    // Bounded by the number of tweets, in case the chain ends in a cycle.
    for (let steps = 0; j >= 0 && steps < this.ids.length; steps += 1) {
      if (this.inbound[j]) return this.authorAt(j);
      j = this.parent[j]!;
    }
    return undefined;
  }
}
