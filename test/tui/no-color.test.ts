import { describe, expect, it } from 'vitest';
import { noColorRequested } from '../../src/tui/index.js';

// https://no-color.org: any non-empty value turns colours off; an empty one does not.
describe('noColorRequested', () => {
  it('is true for any non-empty NO_COLOR, false when unset or empty', () => {
    expect(noColorRequested({ NO_COLOR: '1' })).toBe(true);
    expect(noColorRequested({ NO_COLOR: 'false' })).toBe(true);
    expect(noColorRequested({ NO_COLOR: '' })).toBe(false);
    expect(noColorRequested({})).toBe(false);
  });
});
