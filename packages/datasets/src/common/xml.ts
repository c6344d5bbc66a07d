import { createReadStream } from 'node:fs';
import { SaxesParser } from 'saxes';

/** Attributes of one `<row .../>` element of a Stack Exchange style XML dump. */
export type XmlRow = Record<string, string>;

/**
 * Streams the `<row>` elements of a dump file as attribute records. The file is fed to saxes in
 * chunks and the rows of each chunk are handed out before the next chunk is read, so memory
 * stays bounded by one chunk whatever the file size.
 *
 * A file that stops being well-formed cannot be read past the error, so the rows before it are
 * kept and the error is passed to `onError` instead of being thrown: the caller decides how to
 * report it and the import goes on with the next file.
 */
export async function* readXmlRows(path: string, onError: (error: Error) => void): AsyncGenerator<XmlRow> {
  const parser = new SaxesParser({ xmlns: false });
  let pending: XmlRow[] = [];
  let failure: Error | undefined;
  parser.on('opentag', (tag) => {
    if (tag.name === 'row') pending.push(tag.attributes as XmlRow);
  });
  parser.on('error', (error) => {
    failure ??= error;
  });
  const input = createReadStream(path, { encoding: 'utf8' });
  let first = true;
  try {
    for await (const chunk of input as AsyncIterable<string>) {
      // saxes rejects a byte order mark as text before the root element.
      parser.write(first ? chunk.replace(/^\uFEFF/, '') : chunk);
      first = false;
      const rows = pending;
      pending = [];
      yield* rows;
      if (failure) break;
    }
    if (!failure) parser.close();
    const rows = pending;
    pending = [];
    yield* rows;
  } finally {
    input.destroy();
  }
  if (failure) onError(failure);
}
