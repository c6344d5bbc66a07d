import { describe, expect, it } from 'vitest';
import { runRoundTrip } from '../src/e2e.js';

describe('support desk, end to end', () => {
  it('a customer email opens a case, the reply reaches the customer threaded, and the answer joins the same case', async () => {
    const result = await runRoundTrip();
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.thread.map((t) => t.direction)).toEqual(['inbound', 'outbound', 'inbound']);
    expect(result.thread[1]?.text).toContain('ships today');
    expect(result.emailCase?.case).toMatchObject({ queue: 'support', status: 'open', agentReplies: 1 });
    expect(result.emailCase?.case?.assignee).toBe('ann');
    expect(result.emailCase?.case?.firstResponseAt).not.toBeNull();
    expect(result.emailCase?.case?.sla?.policyId).toBe('standard');
    // "business plan" routes the shop's message to the VIP queue, by capacity.
    expect(result.webhookCase?.case).toMatchObject({ queue: 'vip', priority: 'high', assignee: 'vera' });
  });
});
