import type { ConditionExplanation } from './conditions.js';
import type { RuleExplanation } from './rule-set.js';

function show(value: unknown): string {
  if (value === undefined) return '(missing)';
  if (value instanceof Date) return value.toISOString();
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function lines(node: ConditionExplanation, depth: number, out: string[]): void {
  const pad = '  '.repeat(depth);
  const mark = node.passed ? '✓' : '✗';
  switch (node.type) {
    case 'all':
    case 'any':
    case 'not':
      out.push(`${pad}${mark} ${node.type}  ${node.at}`);
      for (const child of node.children ?? []) lines(child, depth + 1, out);
      return;
    case 'aggregate': {
      const a = node.aggregate!;
      out.push(
        `${pad}${mark} ${a.fn}(interactions${a.within ? ` within ${a.within}` : ''}) = ${show(node.actual)} ${node.operator} ${show(node.expected)}  (${a.matched} matched)  ${node.at}`,
      );
      return;
    }
    default:
      out.push(
        `${pad}${mark} ${node.path} ${node.operator} ${show(node.expected)}  saw ${show(node.actual)}  ${node.at}`,
      );
  }
}

/** Renders an explanation as indented text with ✓ and ✗, for terminals and logs. */
export function formatExplanation(explanation: RuleExplanation): string {
  const out = [
    `${explanation.passed ? 'PASS' : 'FAIL'} ${explanation.ruleId} v${explanation.version} "${explanation.name}" on ${explanation.trigger}${explanation.enabled ? '' : ' (disabled)'}`,
  ];
  lines(explanation.conditions, 1, out);
  out.push(`  actions: ${explanation.actions.join(', ')}`);
  return out.join('\n');
}
