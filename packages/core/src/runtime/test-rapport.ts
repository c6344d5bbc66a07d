import { memoryStorage } from '../storage/memory/memory-storage.js';
import { createRapport, type Rapport, type RapportOptions } from './rapport.js';

/**
 * A started Rapport on the in-memory store, for tests: `const rapport = await createTestRapport()`.
 * Any option can be overridden (for example a fixed `clock` or a real `storage`).
 */
export async function createTestRapport(options: Partial<RapportOptions> = {}): Promise<Rapport> {
  const rapport = createRapport({ storage: memoryStorage(), ...options });
  await rapport.start();
  return rapport;
}
