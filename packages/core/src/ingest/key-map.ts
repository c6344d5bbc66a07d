/**
 * A map keyed by (channel, account, externalId), held as nested maps. A batch looks items,
 * parents and threads up by that key several times per item; nesting avoids building (and
 * hashing) a joined key string for each lookup. Channels and accounts are few, so the outer maps
 * stay tiny and a lookup costs about one hash of an id the input already holds.
 */
export class InteractionKeyMap<V> {
  private readonly channels = new Map<string, Map<string, Map<string, V>>>();

  get(channel: string, account: string, externalId: string): V | undefined {
    return this.channels.get(channel)?.get(account)?.get(externalId);
  }

  has(channel: string, account: string, externalId: string): boolean {
    return this.get(channel, account, externalId) !== undefined;
  }

  /** Sets the value of a key; values are never `undefined`, so `get` tells absence apart. */
  set(channel: string, account: string, externalId: string, value: V): void {
    let accounts = this.channels.get(channel);
    if (accounts === undefined) {
      accounts = new Map();
      this.channels.set(channel, accounts);
    }
    let ids = accounts.get(account);
    if (ids === undefined) {
      ids = new Map();
      accounts.set(account, ids);
    }
    ids.set(externalId, value);
  }
}
