// tsc emits only JavaScript; the engine loads its Lua scripts from beside its compiled modules.
import { cpSync } from 'node:fs';
cpSync(new URL('../src/engine/lua', import.meta.url), new URL('../dist/engine/lua', import.meta.url), { recursive: true });
