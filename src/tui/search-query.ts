/** What a console search asks for: text to find, and `age>D` / `age<D` bounds on the time in the tab. */
import { parseDuration } from '../shared/duration.js';

/** A parsed search. */
export interface SearchQuery {
  /** Matched (any case) against id, type, payload and error; '' matches every job. */
  text: string;
  /** Only jobs in their status at least this many ms (`age>1h`). */
  olderThan?: number;
  /** Only jobs in their status less than this many ms (`age<10m`). */
  newerThan?: number;
}

const AGE = /^age([<>])(.+)$/;

/** Thrown for an `age>` / `age<` bound whose duration cannot be read; the message shows the form. */
export class SearchQueryError extends Error {
  override readonly name = 'SearchQueryError';
}

/** The duration of an `age>` / `age<` bound; a bound typed wrong would otherwise become a text search that quietly finds nothing. */
function boundMs(word: string, duration: string): number {
  try {
    return parseDuration(duration);
  } catch {
    throw new SearchQueryError(`${word}: write age>D or age<D with a duration D such as 90s, 5m, 1h or 2d`);
  }
}

/** Splits `age>1h fail` into its bounds and its text; throws a `SearchQueryError` for `age>soon`. */
export function parseSearch(query: string): SearchQuery {
  const parsed: SearchQuery = { text: '' };
  const words: string[] = [];
  for (const word of query.trim().split(/\s+/)) {
    const bound = AGE.exec(word);
    if (!bound) {
      if (word !== '') words.push(word);
    } else if (bound[1] === '>') {
      parsed.olderThan = boundMs(word, bound[2]!);
    } else {
      parsed.newerThan = boundMs(word, bound[2]!);
    }
  }
  parsed.text = words.join(' ').toLowerCase();
  return parsed;
}

/** Whether a job that entered its status at `enteredAt` (shown as `shownText`) matches at `now`. */
export function searchMatches(search: SearchQuery, shownText: string, enteredAt: number, now: number): boolean {
  const age = now - enteredAt;
  if (search.olderThan !== undefined && age < search.olderThan) return false;
  if (search.newerThan !== undefined && age >= search.newerThan) return false;
  return search.text === '' || shownText.toLowerCase().includes(search.text);
}
