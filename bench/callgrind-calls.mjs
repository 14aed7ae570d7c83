// Where a callgrind dump's Redis instructions go, per FCALL (bench/callgrind.sh keeps the dump with
// KEEP=FILE): node bench/callgrind-calls.mjs FILE [functions]. Prints the functions with the most
// self instructions, then for each function named (comma list; a default set of Lua and Redis
// internals otherwise) how often one FCALL calls it and the instructions under it (inclusive).
// Names need a redis-server with symbols (see bench/README.md); a stripped one shows addresses.
import { readFileSync } from 'node:fs';

const DEFAULT_FUNCTIONS = [
  'luaRedisCallCommand', 'luaArgsToRedisArgv', 'redisProtocolToLuaType_Array', 'str_match', 'gmatch_aux',
  'luaS_newlstr', 'luaV_concat', 'tconcat', 'luaH_new', 'resize', 'luaB_tonumber', 'str_format', 'luaC_step',
  'luaCreateArray', 'luaReplyToRedisReply', 'string2d', 'zaddCommand', 'zremCommand', 'hsetCommand',
  'hmgetCommand', 'hdelCommand', 'lpopCommand', 'zrangeCommand', 'zremrangebyrankCommand', 'xaddCommand',
];
const [file, list] = process.argv.slice(2);
if (!file) throw new Error('usage: node bench/callgrind-calls.mjs CALLGRIND_DUMP [fn,fn,…]');
const wanted = list ? list.split(',') : DEFAULT_FUNCTIONS;

// The format names each function once in full, `fn=(id) name`, and by `(id)` after that.
const names = new Map();
const nameOf = (text) => {
  const [, id, name] = /^\((\d+)\)(?: (.*))?$/.exec(text) ?? [undefined, undefined, text];
  if (id === undefined) return text;
  if (name) names.set(id, name);
  return names.get(id) ?? text;
};
const self = new Map();
const calls = new Map();
const inclusive = new Map();
const add = (map, key, n) => map.set(key, (map.get(key) ?? 0) + n);
let fn = '';
let callee = '';
let pendingCalls = -1;
for (const line of readFileSync(file, 'utf8').split('\n')) {
  if (line.startsWith('fn=')) fn = nameOf(line.slice(3));
  else if (line.startsWith('cfn=')) callee = nameOf(line.slice(4));
  else if (line.startsWith('calls=')) pendingCalls = Number(line.slice(6).split(' ')[0]);
  else if (/^[0-9+*-]/.test(line)) {
    const cost = Number(line.split(' ')[1] ?? 0);
    if (pendingCalls < 0) add(self, fn, cost);
    else if (callee !== fn) { // a recursive call's cost is inside the caller's already
      add(calls, callee, pendingCalls);
      add(inclusive, callee, cost);
    }
    pendingCalls = -1;
  }
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const fcalls = calls.get('fcallCommand') ?? 0;
const per = Math.max(1, fcalls);
console.log(`${total.toLocaleString('en')} instructions, ${fcalls} FCALLs: ${Math.round(total / per).toLocaleString('en')} per FCALL`);
console.log('\nself instructions, the top 25:');
for (const [name, cost] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) {
  console.log(`${(100 * cost / total).toFixed(1).padStart(5)}%  ${name}`);
}
console.log('\nper FCALL:                      calls   instructions (inclusive)');
for (const name of wanted) {
  const n = calls.get(name) ?? 0;
  console.log(`${name.padEnd(30)} ${(n / per).toFixed(1).padStart(7)} ${Math.round((inclusive.get(name) ?? 0) / per).toLocaleString('en').padStart(14)}`);
}
