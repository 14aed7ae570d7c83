/**
 * The shared state of alerts, kept in Redis so that hosts evaluating the same rules send one notice
 * per firing between them (lua/noteAlert.lua).
 */
import { randomBytes } from 'node:crypto';
import type { RedisQueue } from './queue.js';
import { queueInternals } from './queue-connection.js';

/** What a host is to do after noting an alert's condition: send the firing notice, the resolved notice, or nothing. */
export type AlertNotice = 'fire' | 'resolve' | 'quiet';

/** The answer of `noteAlert`. */
export interface AlertNote {
  notice: AlertNotice;
  /** When the current (or, for 'resolve', the ended) firing began, on Redis' clock; null when clear. */
  since: Date | null;
}

/**
 * Notes whether alert `alertId`'s condition holds now, in the state kept beside `alertsQueue`'s keys.
 * Resolves to 'fire' for exactly one caller when the condition holds and no firing notice was sent
 * within `coolDownMs`, to 'resolve' for exactly one caller when it clears after a firing notice, and
 * to 'quiet' otherwise. Safe to resend: the same call sent again answers as the first time.
 */
export async function noteAlert(alertsQueue: RedisQueue, alertId: string, holds: boolean, coolDownMs: number): Promise<AlertNote> {
  // The alerts queue is made with queue(name), which never shards it: its keys are one shard's.
  const [store] = queueInternals(alertsQueue).shards;
  const reply = (await store!.call('noteAlert', [alertId, holds ? '1' : '0', coolDownMs, randomBytes(8).toString('hex')])) as [string, string];
  const [notice, since] = reply;
  return { notice: notice as AlertNotice, since: since === '' ? null : new Date(Number(since)) };
}
