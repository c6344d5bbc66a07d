import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/** One line of a text file with its 1-based line number. */
export interface NumberedLine {
  line: number;
  text: string;
}

/**
 * Streams a text file line by line (LF or CRLF), so that files of any size are read with
 * constant memory. A leading byte order mark is dropped.
 */
export async function* readLines(path: string): AsyncGenerator<NumberedLine> {
  const input = createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  try {
    for await (const raw of lines) {
      line += 1;
      yield { line, text: line === 1 ? raw.replace(/^\uFEFF/, '') : raw };
    }
  } finally {
    // Stops reading when the consumer breaks out early.
    lines.close();
    input.destroy();
  }
}
