import type { z } from 'zod';
import type { Logger, MaybePromise, PluginBase } from '../plugins/plugin.js';
import type { RuleFacts } from './facts.js';
import type { OperatorDefinition } from './operators.js';

/** The rule extension contract version this core speaks. */
export const RULES_SPEC_VERSION = 'rapport.rules/v1';

/** What a plugin action gets when it runs. */
export interface RuleActionContext {
  tenantId: string;
  rule: { id: string; version: number };
  /** The facts the rule matched. */
  facts: RuleFacts;
  now: Date;
  logger: Logger;
}

/**
 * An action a plugin adds: its options schema (everything in the action object but `type`) and
 * what it does. Plugin actions run after the rule's store changes have committed, like webhooks;
 * a throw marks the action `failed` on the firing and the rule's other actions go on.
 */
export interface ActionDefinition<O = Record<string, unknown>> {
  readonly type: string;
  readonly options: z.ZodType<O>;
  /** Does the work; the string returned, if any, is kept as the outcome's detail. */
  run(options: O, context: RuleActionContext): MaybePromise<string | undefined>;
}

/** Declares an action with its option types inferred. */
export function defineAction<O>(definition: ActionDefinition<O>): ActionDefinition<O> {
  return definition;
}

/**
 * A plugin that teaches the rule engine new operators and actions. A factory returns it, like
 * every Rapport plugin; its capabilities list the names it adds, so conflicts show at start.
 */
export interface RuleExtension
  extends PluginBase<
    typeof RULES_SPEC_VERSION,
    { operators: readonly string[]; actions: readonly string[] }
  > {
  readonly operators?: readonly OperatorDefinition<unknown, unknown>[];
  readonly actions?: readonly ActionDefinition<unknown>[];
}
