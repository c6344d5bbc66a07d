import { RapportError } from '@rapport/core';
import { type CustomerSummary, checkRfmSummaries, PLUGIN } from './types.js';

/** Column names accepted for each field (lifetimes, Hardie's spreadsheets, and ours). */
const COLUMNS = {
  customerId: ['id', 'customerid', 'customer_id'],
  x: ['x', 'frequency'],
  tx: ['tx', 't_x', 'recency'],
  T: ['t', 't_cal', 'age'],
  meanRepeatSpend: ['meanrepeatspend', 'monetary_value', 'zbar', 'm_x'],
} as const;

type Field = keyof typeof COLUMNS;

function invalid(message: string, line: number, hint: string): RapportError {
  return new RapportError('RAPPORT_INVALID_INPUT', `CSV line ${line}: ${message}`, {
    path: [line],
    hint,
    plugin: PLUGIN,
  });
}

function cells(line: string): string[] {
  return line.split(',').map((cell) => cell.trim().replace(/^"(.*)"$/, '$1'));
}

/**
 * Reads calibration summaries from CSV text with a header row: an id column (`ID`, `customerId`),
 * frequency (`frequency` or `x`), recency (`recency`, `t_x` or `tx`), age (`T`), and optionally
 * the mean repeat spend (`monetary_value`, `zbar` or `meanRepeatSpend`). This reads lifetimes'
 * `cdnow_customers_summary.csv` and `cdnow_customers_summary_with_transactions.csv` as they are. A
 * spend given for a customer with x = 0 is dropped (those files write 0 there).
 *
 * @throws RapportError `RAPPORT_INVALID_INPUT` naming the line (path `[line]`) or, for a value
 * that is not a valid summary, the row and field (path `[row, field]`, rows counted from 0).
 */
export function summariesFromCsv(text: string): CustomerSummary[] {
  if (typeof text !== 'string') {
    throw new RapportError('RAPPORT_INVALID_INPUT', 'summariesFromCsv takes the CSV text', {
      hint: 'read the file first, for example with readFileSync(path, "utf8")',
      plugin: PLUGIN,
    });
  }
  const lines = text.split(/\r?\n/);
  const headerAt = lines.findIndex((line) => line.trim() !== '');
  if (headerAt < 0) throw invalid('no header row', 1, 'the first line names the columns, such as ID,x,t_x,T');
  const header = cells(lines[headerAt]!).map((name) => name.toLowerCase());
  const position = {} as Record<Field, number>;
  for (const field of Object.keys(COLUMNS) as Field[]) {
    position[field] = header.findIndex((name) => (COLUMNS[field] as readonly string[]).includes(name));
    if (position[field] < 0 && field !== 'meanRepeatSpend') {
      throw invalid(
        `no ${field} column in the header (${header.join(', ')})`,
        headerAt + 1,
        `name the column ${COLUMNS[field].join(' or ')}`,
      );
    }
  }
  const rows: CustomerSummary[] = [];
  for (let i = headerAt + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const values = cells(line);
    if (values.length !== header.length) {
      throw invalid(
        `expected ${header.length} values, got ${values.length}`,
        i + 1,
        'give one value per column',
      );
    }
    const number = (field: Field): number => {
      const raw = values[position[field]]!;
      const value = raw === '' ? Number.NaN : Number(raw);
      if (!Number.isFinite(value))
        throw invalid(`${field} is not a number: "${raw}"`, i + 1, 'write numbers such as 2 or 30.43');
      return value;
    };
    const row: CustomerSummary = {
      customerId: values[position.customerId]!,
      x: number('x'),
      tx: number('tx'),
      T: number('T'),
    };
    if (position.meanRepeatSpend >= 0 && row.x > 0) row.meanRepeatSpend = number('meanRepeatSpend');
    rows.push(row);
  }
  checkRfmSummaries(rows, 'CSV summaries');
  return rows;
}
