// Drives a Redis that runs under callgrind (bench/callgrind.sh) through one phase, with the counts
// zeroed just before it and dumped just after: `process` (N queued jobs run by one worker of
// concurrency 50), `enqueue` (N jobs in bulk calls of 1,000) or `idle` (N single dispatches, each
// alone: 30 ms apart, an idle worker, after 1,100 jobs so that retention trims as in a long-lived
// queue).
import { execFileSync } from 'node:child_process';
import { sleep } from './harness.mjs';

const [system, mode, nText, port, valgrindPid] = process.argv.slice(2);
const n = Number(nText);
const adapter = await import(system === 'yardstick' ? './yardstick.mjs' : './flexq.mjs');
const q = await adapter.open({ redisUrl: `redis://127.0.0.1:${port}`, prefix: 'fqb-cgrind-f1', queueName: 'cg', concurrency: 50 });
const callgrind = (flag) => execFileSync('callgrind_control', [flag, valgrindPid], { stdio: 'ignore' });
const settled = async (count) => {
  while (done < count || (await q.unfinished()) > 0) await sleep(50);
};
let done = 0;

if (mode === 'process') {
  await q.enqueueBulk(n, 1_000);
  callgrind('-z');
  await q.startWorkers(() => void done++);
  await settled(n);
} else if (mode === 'enqueue') {
  await q.enqueueBulk(1_000, 1_000); // the library loaded and the keys made first
  callgrind('-z');
  await q.enqueueBulk(n, 1_000);
} else if (mode === 'idle') {
  await q.startWorkers(() => void done++);
  await q.enqueueBulk(1_100, 1_000);
  await settled(1_100);
  await sleep(300);
  callgrind('-z');
  for (let i = 0; i < n; i++) {
    await q.dispatch({ seq: i });
    await sleep(30);
  }
  await settled(1_100 + n);
} else {
  throw new Error('mode must be process, enqueue or idle');
}
callgrind('-d');
await q.close();
