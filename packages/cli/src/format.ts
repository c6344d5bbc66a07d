/** Text helpers shared by the commands' human-readable output. */

/** `12345` → `12,345`, the same on every machine (no locale surprises in logs and tests). */
export function count(value: number): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: 0 });
}

/** Items per second, or 0 for an instant run. */
export function rate(items: number, durationMs: number): number {
  return durationMs > 0 ? Math.round((items / durationMs) * 1000) : 0;
}

/** `2017-10-31 22:10:47 UTC`: unambiguous, sortable, independent of the machine's time zone. */
export function utc(date: Date | string): string {
  const d = typeof date === 'string' ? new Date(date) : date;
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** One line of at most `max` characters: whitespace collapsed, an ellipsis where it was cut. */
export function oneLine(text: string | null | undefined, max: number): string {
  const flat = (text ?? '').replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
}

/**
 * Lays rows out in columns, two spaces apart, each line indented by `indent`. Columns listed in
 * `right` are right-aligned (numbers).
 */
export function table(rows: string[][], options: { indent?: string; right?: number[] } = {}): string {
  const indent = options.indent ?? '  ';
  const right = new Set(options.right ?? []);
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, cell.length);
  }
  return rows
    .map((row) => {
      const cells = row.map((cell, i) => {
        const last = i === row.length - 1;
        if (right.has(i)) return cell.padStart(widths[i]!);
        return last ? cell : cell.padEnd(widths[i]!);
      });
      return `${indent}${cells.join('  ')}`.trimEnd();
    })
    .join('\n');
}

/** JSON for `--json` output: two-space indentation, dates as ISO strings, a final newline. */
export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
