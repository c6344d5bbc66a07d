import type { ChannelHarness } from '@rapport/testkit/conformance';
import { startTestMailServer } from '@rapport/testkit/mail-server';
import { emailChannel, emailMessageId } from '../src/index.js';
import { findMessages, imapAs, supportOptions } from './support.js';

/**
 * The email channel wired to a real Dovecot on loopback, for the channel conformance suite. The
 * customer writes to the support mailbox by SMTP; deliveries are counted in the customer's INBOX.
 * Email has no rate limiting to simulate, so there is no `rateLimitNext`.
 */
export async function createHarness(): Promise<ChannelHarness> {
  const server = await startTestMailServer();
  const options = supportOptions(server);
  const plugin = emailChannel(options);
  const produced = new Map<string, { subject: string }>();
  let sequence = 0;

  return {
    plugin,
    options,
    account: server.users.support.address,

    async produceInbound(count) {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        sequence += 1;
        const subject = `Question ${sequence}`;
        // `send` resolves once Dovecot has stored the message, so it is readable now.
        const { messageId } = await server.send({ subject, text: `Customer question number ${sequence}.` });
        produced.set(messageId, { subject });
        ids.push(messageId);
      }
      return ids;
    },

    async replyTarget(externalId) {
      const item = produced.get(externalId);
      if (!item) throw new Error(`the harness did not produce ${externalId}`);
      return {
        account: server.users.support.address,
        to: { externalId: server.users.customer.address },
        inReplyTo: externalId,
        thread: externalId,
        context: { messageId: externalId, references: [], subject: item.subject },
      };
    },

    async deliveredCount(idempotencyKey) {
      const messageId = emailMessageId(idempotencyKey, server.domain);
      const customer = await imapAs(server, server.users.customer);
      try {
        return (await findMessages(customer, 'INBOX', messageId)).length;
      } finally {
        await customer.logout();
      }
    },

    close: () => server.stop(),
  };
}
