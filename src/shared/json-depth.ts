/**
 * Nesting limits for JSON that flexq takes from outside (the CLI's payload argument). V8's
 * `JSON.parse` reads any depth, but `JSON.stringify` and every recursive walk after it (storing,
 * masking, drawing) overflow the stack somewhere past a few thousand levels, so a hostile payload
 * is refused at the door with a clear message instead.
 */

/** Deepest nesting of objects and arrays accepted in a payload; real payloads stay far below. */
export const MAX_JSON_DEPTH = 100;

/** The nesting depth of `value` (a scalar is 0, `{}` is 1), counted without recursion; stops counting past `limit`. */
export function jsonDepth(value: unknown, limit: number = Number.POSITIVE_INFINITY): number {
  let deepest = 0;
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    const inner = depth + 1;
    deepest = Math.max(deepest, inner);
    if (deepest > limit) return deepest;
    for (const item of Object.values(current)) stack.push({ value: item, depth: inner });
  }
  return deepest;
}
