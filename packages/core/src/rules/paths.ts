/** Reads one value out of a facts object (or a past interaction). Never throws. */
export type Getter = (root: unknown) => unknown;

/** Segments that would reach an object's prototype machinery instead of data. */
const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor']);

/** Returns a message when `path` cannot be used, else undefined. */
export function checkPath(path: string): string | undefined {
  const bad = path.split('.').find((s) => FORBIDDEN.has(s));
  return bad ? `the segment "${bad}" is not allowed in a path` : undefined;
}

/** Own-or-inherited property read that treats null and primitives as "nothing there". */
function step(value: unknown, key: string): unknown {
  if (value !== null && typeof value === 'object') return (value as Record<string, unknown>)[key];
  // `interaction.text.length` is the one property of a primitive worth reading.
  return typeof value === 'string' && key === 'length' ? value.length : undefined;
}

/**
 * Compiles a dotted path into a getter. Short paths (the common case) get a closure without a
 * loop, so a condition costs a couple of property reads.
 */
export function compilePath(path: string): Getter {
  const parts = path.split('.');
  const [a, b, c, d] = parts as [string, string?, string?, string?];
  switch (parts.length) {
    case 1:
      return (root) => step(root, a);
    case 2:
      return (root) => step(step(root, a), b!);
    case 3:
      return (root) => step(step(step(root, a), b!), c!);
    case 4:
      return (root) => step(step(step(step(root, a), b!), c!), d!);
    default:
      return (root) => {
        let value = root;
        for (const part of parts) value = step(value, part);
        return value;
      };
  }
}
