/** flexq: a Redis-backed background job queue. */
export { RedisQueue, type BulkJob, type PushOutcome, type JobPage, type ListableStatus, type ListOptions, type QueueOverview, type QueueSettings } from './engine/queue.js';
export { RedisWorker } from './engine/worker.js';
export { JobAbortedError } from './engine/attempt.js';
export { JobDispatcher } from './engine/dispatcher.js';
export { handlerFunc, PermanentError } from './engine/handler.js';
export {
  FlexqError, JobNotFoundError, ScheduleNotFoundError, InvalidJobStateError, ValidationError, ConnectionError, CallCutOffError, QueueClosedError, RedisFullError, PermissionError, NotReplicatedError,
  type FlexqErrorCode,
} from './engine/errors.js';
export { JobStatus, JOB_STATUSES } from './engine/types.js';
export type { RedisCheck, CheckLevel } from './engine/diagnostics.js';
export type { Topology } from './engine/connection.js';
export type { ShardOverview } from './engine/sharded-reads.js';
export type {
  Job, FailedAttempt, JobResult, Handler, HandlerFunction, JobContext, JobOptions, NewJob, QueueStats, RedisQueueConfig,
  RetentionPolicy, WorkerConfig, WorkerInfo, RateLimit, RateLimitStatus,
} from './engine/types.js';
export type { StoredEvent as QueueEvent } from './engine/store.js';
export type { BulkOptions, BulkProgress, CleanOptions, HistoryBucket, QueueTotals, RetryJobsOptions } from './engine/operations.js';
export type { ScheduleTiming, ScheduledJob, ScheduleInfo, ScheduleSource } from './engine/schedule-spec.js';
export type { JobMap, JobOf, JobType, TypedJob, NewJobOf, ScheduledJobOf, BulkEntryOf, HandlerOf, UntypedJobs } from './engine/job-map.js';
export {
  emailJobHandler, webhookJobHandler, verifyWebhookSignature, signWebhookRequest, loadHandlerModule, builtinHandler,
  WEBHOOK_SIGNATURE_HEADER,
  type EmailHandler, type EmailHandlerOptions, type EmailPayload, type EmailAttachment, type EmailResultData,
  type WebhookHandlerOptions, type WebhookPayload, type WebhookResultData, type SignedRequest,
} from './handlers/index.js';
