/**
 * A worker tells of a Redis outage once and of its end once, however many calls fail or succeed in
 * between (README: "a worker reports the loss once, pauses, and resumes by itself").
 */
import { pino } from 'pino';
import { expect, it } from 'vitest';
import { Reachability } from '../../src/engine/reachability.js';

it('logs each change between reachable and unreachable once, a lost connection by its reason and any other error whole', () => {
  const lines: { level: number; msg: string; err?: { message: string }; reason?: string }[] = [];
  const reachability = new Reachability(pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) }));
  reachability.reachable(); // up already: nothing to say
  reachability.unreachable(new Error('ECONNREFUSED'));
  reachability.unreachable(new Error('ECONNREFUSED again'));
  reachability.reachable();
  reachability.reachable();
  reachability.unreachable(new Error('Connection is closed.'));
  reachability.reachable();
  reachability.unreachable(new Error('LOADING Redis is loading the dataset in memory'));
  expect(lines.map(({ level, msg, err, reason }) => [level, msg, reason, err?.message])).toEqual([
    [50, 'Redis unreachable: worker paused until it answers again', 'ECONNREFUSED', undefined],
    [30, 'Redis reachable again: worker resumed', undefined, undefined],
    [50, 'Redis unreachable: worker paused until it answers again', 'the connection was closed', undefined],
    [30, 'Redis reachable again: worker resumed', undefined, undefined],
    [50, 'Redis unreachable: worker paused until it answers again', undefined, 'LOADING Redis is loading the dataset in memory'],
  ]);
});
