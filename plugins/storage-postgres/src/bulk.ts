// Parameters of the bulk statements (`unnest` of one array per column).

/** One array per column: the parameters of a bulk statement, built in one pass over the records. */
export function columns<T>(records: readonly T[], width: number, row: (record: T) => unknown[]): unknown[][] {
  const out = Array.from({ length: width }, () => new Array<unknown>(records.length));
  for (let r = 0; r < records.length; r++) {
    const values = row(records[r]!);
    for (let c = 0; c < width; c++) out[c]![r] = values[c];
  }
  return out;
}

/** The last record given for each id, in the order of first appearance (as sequential writes would leave it). */
export function lastById<T extends { id: string }>(records: readonly T[]): T[] {
  if (records.length < 2) return [...records];
  const byId = new Map<string, T>();
  for (const record of records) byId.set(record.id, record);
  return byId.size === records.length ? [...records] : [...byId.values()];
}
