-- cancelJob: a waiting or running job becomes `cancelled` and never runs (again). A running job's
-- worker learns of it at its next lease renewal and aborts the handler; its late outcome is stale.
-- O(log n): a ready job's list entry becomes a tombstone in place (see includes/ready-order.lua).
-- KEYS[1] base        `<prefix>:{<queue>}:` (the ready count `<base>readyCount` and
--                     `op:<request id>` replies are built from it)
-- KEYS[2] delayed     ZSET `<base>delayed`
-- KEYS[3] retrying    ZSET `<base>retrying`
-- KEYS[4] active      ZSET `<base>active`
-- KEYS[5] cancelled   LIST `<base>cancelled` (see includes/finished.lua)
-- KEYS[6] events      STREAM `<base>events`
-- ARGV[1] events max length
-- ARGV[2] job id
-- ARGV[3..5] retention of cancelled jobs: max age ms, max count, removals per call
-- ARGV[6] request id (the same request sent again gets the first answer and changes nothing)
-- Returns {'OK', previous status} | {'NOT_FOUND'} | {'BAD_STATE', status}.
-- Errors (before any write) when a retention argument is out of range.

local delayedKey, retryingKey, activeKey, cancelledKey, eventsKey = KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local maxLen, id, requestId = ARGV[1], ARGV[2], ARGV[6]
local maxAge, maxCount = numberArg(3, 'max age', 0, 1e15), numberArg(4, 'max count', 0, 1e12)
local removals = numberArg(5, 'removals', 0, 1e6)
-- The reply is kept apart from the job (`op:<request id>`, see includes/operations.lua): retention
-- may delete a cancelled job in this very call, and a resend must still hear that it was cancelled.
local replay = opReplay(requestId)
if replay then return replay end
local job = loadJob(id)
if not job then return {'NOT_FOUND'} end

if job.s == PENDING then
  if redis.call('ZREM', delayedKey, id) == 0 then
    retireReadyEntry(job, id)
    countReady(-1)
  end
elseif job.s == RETRYING then
  redis.call('ZREM', retryingKey, id)
elseif job.s == PROCESSING then
  redis.call('ZREM', activeKey, id)
  leaveGroups({groupOf(job)})
else
  return {'BAD_STATE', STATUS_NAMES[job.s]}
end

nowMs()
local status = STATUS_NAMES[job.s]
finishJob(job, CANCELLED)
redis.call('HSET', JOBS, id, encodeJob(job))
fileFinished(cancelledKey, 'cancelled', {id}, maxAge, maxCount, removals)
releaseUniqueKeys({}, {id})
emit(eventsKey, maxLen, 'cancelled', {id}, status)
flushEvents()
return opRemember(requestId, {'OK', status})
