// `npm run mutate:lua`: Stryker does not mutate Lua, so this flips a handful of conditions in
// src/engine/lua by hand-picked edits, one at a time, runs the tests that guard each, and restores
// the file. A flip whose tests still pass is a gap. Chosen away from the hot path's claim, finish
// and add scripts, which change often; an edit whose text is gone is reported, not guessed at.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

const LUA = new URL('../src/engine/lua/', import.meta.url);
const SCRIPT_TESTS = (name) => `test/engine/scripts/${name}.test.ts`;

/** file, the exact text, what it becomes, and the tests that must fail. */
const FLIPS = [
  ['cancelJob.lua', "if redis.call('ZREM', delayedKey, id) == 0 then countReady(-1) end", "if redis.call('ZREM', delayedKey, id) ~= 0 then countReady(-1) end", [SCRIPT_TESTS('cancelJob'), 'test/engine/queue.test.ts']],
  ['cancelJob.lua', 'elseif job.s == RETRYING then', 'elseif job.s ~= RETRYING then', [SCRIPT_TESTS('cancelJob'), 'test/engine/queue.test.ts']],
  ['retryJob.lua', 'if job.s == FAILED then', 'if job.s ~= FAILED then', [SCRIPT_TESTS('retryJob'), 'test/engine/queue.test.ts']],
  ['setPriority.lua', 'if job.s ~= PENDING and job.s ~= RETRYING then', 'if job.s ~= PENDING or job.s ~= RETRYING then', [SCRIPT_TESTS('setPriority'), 'test/engine/queue.test.ts']],
  ['setPriority.lua', 'previous ~= priority then', 'previous == priority then', [SCRIPT_TESTS('setPriority'), 'test/engine/queue.test.ts']],
  ['releaseJobs.lua', 'if #held == 0 then return 0 end', 'if #held ~= 0 then return 0 end', [SCRIPT_TESTS('releaseJobs'), 'test/engine/worker-lifecycle.test.ts']],
  ['extendLeases.lua', 'if leaseHeld(job, tokens[i]) then', 'if not leaseHeld(job, tokens[i]) then', [SCRIPT_TESTS('extendLeases'), 'test/engine/worker-lifecycle.test.ts']],
  ['updateProgress.lua', 'if not leaseHeld(job, ARGV[3]) then return 0 end', 'if leaseHeld(job, ARGV[3]) then return 0 end', [SCRIPT_TESTS('updateProgress'), 'test/engine/worker.test.ts']],
  ['setPaused.lua', "if changed == 1 then\n  redis.call('XADD'", "if changed ~= 1 then\n  redis.call('XADD'", [SCRIPT_TESTS('setPaused'), 'test/engine/worker-lifecycle.test.ts']],
  ['getStats.lua', 'entered < oldest then oldest = entered end', 'entered > oldest then oldest = entered end', [SCRIPT_TESTS('getStats'), 'test/engine/oldest-ready.test.ts']],
];

let restore = () => {};
process.on('SIGINT', () => {
  restore();
  process.exit(130);
});

const rows = [];
for (const [file, from, to, tests] of FLIPS) {
  const path = new URL(file, LUA);
  const original = readFileSync(path, 'utf8');
  const flip = `${file}: ${from.split('\n')[0]} → ${to.split('\n')[0]}`;
  if (original.split(from).length !== 2) {
    rows.push({ flip, result: 'text not found once: update scripts/mutate-lua.mjs' });
    continue;
  }
  restore = () => writeFileSync(path, original);
  try {
    writeFileSync(path, original.replace(from, to));
    const run = spawnSync('npx', ['vitest', 'run', '--project', 'standalone', ...tests], {
      env: { ...process.env, FLEXQ_WAIT_SCALE: '0.5' },
      encoding: 'utf8',
    });
    rows.push({ flip, result: run.status === 0 ? 'SURVIVED' : 'killed' });
  } finally {
    restore();
    restore = () => {};
  }
}
console.table(rows);
process.exitCode = rows.some((row) => row.result !== 'killed') ? 1 : 0;
