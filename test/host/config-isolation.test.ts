/** `isolation` and `killAfter` of a `[handlers.<type>]` module handler. */
import { describe, expect, it } from 'vitest';
import { errorOf, parse } from './config-helpers.js';

describe('[handlers] isolation', () => {
  it('resolves isolation and killAfter of a module handler; unset, neither is there', () => {
    const config = parse('[handlers.a]\nmodule = "./a.js"\nisolation = "thread"\nkillAfter = "5s"\n[handlers.b]\nmodule = "./b.js"');
    expect(config.handlers['a']).toMatchObject({ kind: 'module', isolation: 'thread', killAfter: 5_000 });
    expect(config.handlers['b']).not.toHaveProperty('isolation');
  });

  it.each([
    ['[handlers.a]\nbuiltin = "sleep"\nisolation = "thread"', /handlers\.a: isolation and killAfter apply only to module handlers/],
    ['[handlers.a]\nmodule = "./a.js"\nisolation = "vm"', /flexq\.toml:3: handlers\.a\.isolation: expected one of: none, thread, process/],
    ['[handlers.a]\nmodule = "./a.js"\nkillAfter = "soon"', /handlers\.a\.killAfter/],
  ])('refuses %j naming the key', (toml, message) => {
    expect(errorOf(toml).message).toMatch(message);
  });
});
