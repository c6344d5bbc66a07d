import { redactUrl } from '@rapport/core';
import { datasetFormatNames } from '@rapport/datasets';
import { invalidInput } from '../errors.js';

/**
 * Loaders a lab dataset can come from: every `@rapport/datasets` format, or a Rapport store
 * (`sqlite:<file>`, or a `postgres://` URL).
 */
export const labLoaderNames = [...datasetFormatNames, 'sqlite', 'postgres'] as const;

/** Loaders that read a Rapport store as it is, rather than ingesting a file. */
export const storeLoaderNames: readonly LabLoaderName[] = ['sqlite', 'postgres'];

/** A loader name: `twcs`, `stackexchange`, `cdnow`, `jsonl`, `sqlite` or `postgres`. */
export type LabLoaderName = (typeof labLoaderNames)[number];

/** A dataset as `<loader>:<path>` names it. */
export interface LabDatasetSpec {
  loader: LabLoaderName;
  /** As written, relative paths not yet resolved. */
  path: string;
}

const example = 'twcs:fixtures/twcs/twcs_first5000.csv';

/**
 * Splits `<loader>:<path>` (`stackexchange:dumps/meta`, `sqlite:crm.db`) at its first colon.
 *
 * @throws RapportError `RAPPORT_INVALID_INPUT` (path `dataset`) when there is no loader, the
 * loader is unknown (the hint lists the known ones) or the path is empty.
 */
export function parseDatasetSpec(spec: string): LabDatasetSpec {
  const known = labLoaderNames.join(', ');
  if (typeof spec !== 'string' || spec.trim() === '') {
    throw invalidInput('No dataset given', ['dataset'], `name one as <loader>:<path>, e.g. ${example}`);
  }
  const colon = spec.indexOf(':');
  if (colon < 0) {
    throw invalidInput(
      `Dataset "${spec}" names no loader`,
      ['dataset'],
      `write it as <loader>:<path>, e.g. ${example}; loaders: ${known}`,
    );
  }
  const loader = spec.slice(0, colon).trim();
  // A Postgres store is named by its URL as it is: the "path" is the whole URL.
  if (loader === 'postgres' || loader === 'postgresql') {
    if (
      !spec
        .trim()
        .slice(colon + 1)
        .startsWith('//')
    ) {
      throw invalidInput(
        `Dataset "${redactUrl(spec)}" is not a Postgres URL`,
        ['dataset'],
        'name a Postgres store by its URL, e.g. postgres://user@host/crm (?schema=<name> for another schema)',
      );
    }
    return { loader: 'postgres', path: spec.trim() };
  }
  const path = spec.slice(colon + 1).trim();
  if (!(labLoaderNames as readonly string[]).includes(loader)) {
    throw invalidInput(
      `Unknown dataset loader "${loader}"`,
      ['dataset'],
      `use one of: ${known} (as <loader>:<path>)`,
    );
  }
  if (path === '') {
    throw invalidInput(
      `Dataset "${spec}" names no path`,
      ['dataset'],
      `give the ${loader === 'stackexchange' ? 'dump folder' : 'file'} after the colon, e.g. ${example}`,
    );
  }
  return { loader: loader as LabLoaderName, path };
}
