// `node scripts/survivors.mjs <mutation.json> [--status Survived,NoCoverage] [--file codec.ts]`: the
// mutants a Stryker run left alive, one line each (file:line:column, mutator, the code as mutated),
// to write tests against or to list as accepted. Reports land in reports/mutation/<folder>[/<slice>]/.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseArgs } from 'node:util';

const { values: options, positionals } = parseArgs({
  allowPositionals: true,
  options: { status: { type: 'string', default: 'Survived,NoCoverage' }, file: { type: 'string' } },
});
if (positionals.length !== 1) {
  console.error('usage: node scripts/survivors.mjs <mutation.json> [--status Survived,NoCoverage] [--file name]');
  process.exit(2);
}
const statuses = new Set(options.status.split(','));
const report = JSON.parse(readFileSync(positionals[0], 'utf8'));
for (const [fileName, file] of Object.entries(report.files)) {
  const name = relative('.', fileName);
  if (options.file !== undefined && !name.endsWith(options.file)) continue;
  const lines = file.source.split('\n');
  const alive = file.mutants
    .filter((m) => statuses.has(m.status))
    .sort((a, b) => a.location.start.line - b.location.start.line || a.location.start.column - b.location.start.column);
  for (const m of alive) {
    const { start, end } = m.location;
    // The mutated line as it would read, on one line: Stryker prints a replacement anew, often over
    // several lines though the code it replaces is on one (an optional call, an object literal).
    const original = lines[start.line - 1];
    const replacement = (m.replacement ?? '').replace(/\s*\n\s*/g, ' ');
    const mutated = start.line === end.line
      ? original.slice(0, start.column - 1) + replacement + original.slice(end.column - 1)
      : `${original.slice(0, start.column - 1)}${replacement} …`;
    console.log(`${name}:${start.line}:${start.column} ${m.status} ${m.mutatorName}\n    ${original.trim()}\n  → ${mutated.trim()}`);
  }
}
