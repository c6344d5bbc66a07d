/**
 * The rule that decides, by default, which interactions open a case: an inbound message, mention,
 * reply or review on a conversation without an open case. Reactions, shares, purchases and
 * the organization's own posts do not ask for an answer. Pass your own rules in
 * `cases.open` (same format as any rule; the first that matches opens the case with its
 * `openCase` action's priority and queue) to change it.
 */
export const defaultCaseRules: readonly unknown[] = Object.freeze([
  {
    id: 'open-case-for-customer-messages',
    name: 'Open a case for a customer message that needs an answer',
    trigger: { event: 'interaction.received' },
    conditions: {
      all: [
        { path: 'interaction.direction', operator: 'equal', value: 'inbound' },
        { path: 'interaction.kind', operator: 'in', value: ['message', 'mention', 'reply', 'review'] },
      ],
    },
    actions: [{ type: 'openCase' }],
  },
]);
