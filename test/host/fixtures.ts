import type { Job, QueueStats } from '../../src/engine/types.js';

/** A job with every required field; tests override what they look at. */
export function makeJob(overrides: Partial<Job> = {}): Job {
  return {
    id: 'job-1',
    queue: 'default',
    type: 'email',
    payload: { to: 'a@example.com' },
    status: 'pending',
    attempts: 0,
    maxAttempts: 3,
    priority: 0,
    delay: 0,
    createdAt: new Date('2026-01-31T12:00:05.123Z'),
    enteredAt: new Date('2026-01-31T12:00:05.123Z'),
    ...overrides,
  };
}

/** Stats with distinct counts, so a test sees each land in its column. */
export function makeStats(base = 0): QueueStats {
  return {
    pendingJobs: base + 1,
    delayedJobs: base + 2,
    processingJobs: base + 3,
    retryingJobs: base + 4,
    completedJobs: base + 1500,
    failedJobs: base + 6,
    cancelledJobs: base + 7,
  };
}
