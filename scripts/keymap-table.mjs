#!/usr/bin/env node
// Prints the console's key table (docs/console.md) as Markdown, straight from KEYMAP in the build,
// so the documented keys cannot drift from the ones the console handles. Run `npm run build` first.
import { KEYMAP } from '../dist/tui/keymap.js';

const SCOPE_NAMES = {
  queues: 'queues pane', jobs: 'jobs pane', detail: 'job detail', workers: 'workers', logs: 'logs',
  help: 'help', queue: 'queue detail', schedules: 'schedules', prompt: 'y/n prompt', input: 'typing a search, filter or page',
  quitting: 'while quitting',
};
const EVERY_VIEW = ['queues', 'jobs', 'detail', 'workers', 'logs', 'help', 'queue', 'schedules'];
const cell = (text) => String(text).replace(/\|/g, '\\|');
// `↑/k` is two keys; `/` alone is the search key.
const code = (label) => (label === '/' ? ['/'] : label.split('/')).map((part) => `\`${part}\``).join(' / ');

const where = (scopes) => (EVERY_VIEW.every((s) => scopes.includes(s)) ? 'everywhere' : scopes.map((s) => SCOPE_NAMES[s]).join(', '));

console.log('| Key | Where | What it does | `--read-only` |');
console.log('| --- | --- | --- | --- |');
for (const binding of KEYMAP) {
  const asks = binding.confirm !== undefined && !binding.description.includes('y/n');
  const description = `${binding.description}${asks ? ' (asks y/n first)' : ''}`;
  console.log(`| ${cell(code(binding.label))} | ${cell(where(binding.scopes))} | ${cell(description)} | ${binding.mutates ? 'hidden' : 'kept'} |`);
}
