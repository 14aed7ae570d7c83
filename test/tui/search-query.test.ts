import { describe, expect, it } from 'vitest';
import { SearchQueryError, parseSearch, searchMatches } from '../../src/tui/search-query.js';

describe('console search queries', () => {
  it('reads age>D and age<D as bounds and the rest as text', () => {
    expect(parseSearch('age>1h  Timeout')).toEqual({ text: 'timeout', olderThan: 3_600_000 });
    expect(parseSearch('age<90s')).toEqual({ text: '', newerThan: 90_000 });
    // Not a duration: an error that shows the form, not a text search that finds nothing.
    expect(() => parseSearch('smtp age>soon')).toThrow(new SearchQueryError('age>soon: write age>D or age<D with a duration D such as 90s, 5m, 1h or 2d'));
    expect(() => parseSearch('age<1x')).toThrow(SearchQueryError);
  });

  it('matches text (any case) within the age bounds', () => {
    const now = 10 * 3_600_000;
    const search = parseSearch('age>1h age<3h smtp');
    expect(searchMatches(search, 'SMTP refused', now - 2 * 3_600_000, now)).toBe(true);
    expect(searchMatches(search, 'SMTP refused', now - 30 * 60_000, now)).toBe(false);
    expect(searchMatches(search, 'SMTP refused', now - 4 * 3_600_000, now)).toBe(false);
    expect(searchMatches(search, 'http 500', now - 2 * 3_600_000, now)).toBe(false);
    expect(searchMatches(parseSearch('age>1h'), 'anything', now - 2 * 3_600_000, now)).toBe(true);
  });
});
