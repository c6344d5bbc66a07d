import { isRapportError } from './rapport-error.js';

/** Attempts of a unit of work when the store reports a retryable conflict. */
export const MAX_WRITE_ATTEMPTS = 5;

/** Exponential backoff with full jitter: 0–10 ms, 0–20 ms, 0–40 ms… */
function backoffMs(attempt: number): number {
  return Math.random() * 10 * 2 ** (attempt - 1);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `work` and, when it fails with a retryable `RapportError` (another process changed what it
 * read between its reads and its commit, so nothing of it was kept), runs it again after a short
 * jittered backoff, up to {@link MAX_WRITE_ATTEMPTS} times in all.
 *
 * @param work - gets the attempt number (1 first); it must start from scratch on each attempt.
 */
export async function retryingConflicts<T>(work: (attempt: number) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt);
    } catch (error) {
      if (!isRapportError(error) || !error.retryable || attempt >= MAX_WRITE_ATTEMPTS) throw error;
      await sleep(backoffMs(attempt));
    }
  }
}
