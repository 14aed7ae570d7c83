/**
 * Unknown keys, named with the option meant: the message every options check gives, and the check of
 * a job's own keys, which runs per job and per CLI start. No zod here: codec.ts imports this, and the
 * CLI's argument parser imports codec.ts, so this stays as light as a start-up allows.
 */
import { distance as editDistance } from 'fastest-levenshtein';
import { ValidationError } from './errors.js';

/** The known name closest to `word` (ignoring case), when it is close enough to be a typo of it. */
export function nearestName(word: string, names: readonly string[]): string | undefined {
  const limit = Math.max(2, Math.ceil(word.length * 0.4));
  let best: { name: string; distance: number } | undefined;
  for (const name of names) {
    const distance = editDistance(word.toLowerCase(), name.toLowerCase());
    if (distance <= limit && distance < (best?.distance ?? Infinity)) best = { name, distance };
  }
  return best?.name;
}

/**
 * `unknown option 'x' (did you mean 'y'?), …; valid options: …`. `otherNames` maps names users bring
 * from elsewhere (flexq.toml's `concurrency`) to the option meant, for keys too far to be suggested.
 */
export function unknownKeysMessage(keys: readonly string[], known: readonly string[], otherNames: Readonly<Record<string, string>> = {}): string {
  const each = keys.map((key) => {
    const suggestion = Object.hasOwn(otherNames, key) ? otherNames[key] : nearestName(key, known);
    return `unknown option '${key}'${suggestion === undefined ? '' : ` (did you mean '${suggestion}'?)`}`;
  });
  return `${each.join(', ')}; valid options: ${known.join(', ')}`;
}

/**
 * Throws a ValidationError of `operation` when `given` has a key outside `known`, listing `listed`
 * as the valid ones (what the caller may write, when that is less than what `known` lets through).
 */
export function checkKnownKeys(operation: string, given: object, known: ReadonlySet<string>, listed: readonly string[] = [...known]): void {
  for (const key in given) {
    if (!known.has(key)) {
      const unknown = Object.keys(given).filter((name) => !known.has(name));
      throw new ValidationError(operation, unknownKeysMessage(unknown, listed));
    }
  }
}
