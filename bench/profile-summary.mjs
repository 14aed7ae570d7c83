// Summarises a V8 .cpuprofile: top functions by self time, and self time by package/file.
// Usage: node bench/profile-summary.mjs FILE.cpuprofile [top=25]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
if (!file) throw new Error('usage: node bench/profile-summary.mjs FILE.cpuprofile [top]');
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map();
// timeDeltas[i] is the time before sample i; charge it to the sampled node.
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);

const where = (cf) => {
  const url = cf.url.replace(/^file:\/\//, '').replace(/.*\/node_modules\//, 'node_modules/').replace(/.*\/wt-[^/]+\//, '');
  return url ? `${url}:${cf.lineNumber + 1}` : '(native)';
};
const fnTotals = new Map();
const fileTotals = new Map();
for (const [id, us] of self) {
  const cf = byId.get(id).callFrame;
  const key = `${cf.functionName || '(anonymous)'}  ${where(cf)}`;
  fnTotals.set(key, (fnTotals.get(key) ?? 0) + us);
  const group = cf.url.includes('/node_modules/') ? cf.url.replace(/.*\/node_modules\/((@[^/]+\/)?[^/]+).*/, '$1')
    : cf.url.includes('/dist/') ? cf.url.replace(/.*\/dist\//, 'dist/')
    : cf.url.startsWith('node:') ? 'node internals' : cf.functionName.startsWith('(') ? cf.functionName : 'other';
  fileTotals.set(group, (fileTotals.get(group) ?? 0) + us);
}
const pct = (us) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
console.log(`profile ${file}: ${(total / 1000).toFixed(0)} ms sampled`);
console.log('\nself time by function:');
for (const [k, us] of [...fnTotals].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(us)} ${(us / 1000).toFixed(1).padStart(8)} ms  ${k}`);
console.log('\nself time by package / file:');
for (const [k, us] of [...fileTotals].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(us)} ${(us / 1000).toFixed(1).padStart(8)} ms  ${k}`);
