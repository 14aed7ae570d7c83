-- retryJob: a failed or cancelled job goes back to `pending` with its attempts reset, to run again.
-- KEYS[1] base        `<prefix>:{<queue>}:`
-- KEYS[2] priorities  ZSET `<base>priorities`
-- KEYS[3] wake        LIST `<base>wake`
-- KEYS[4] events      STREAM `<base>events`
-- The job's entry in its finished list is left, stale (see includes/finished.lua).
-- ARGV[1] events max length
-- ARGV[2] job id
-- ARGV[3] request id (the same request sent again gets the first answer and changes nothing)
-- Returns {'OK'} | {'NOT_FOUND'} | {'BAD_STATE', status}

local prioritiesKey, wakeKey, eventsKey = KEYS[2], KEYS[3], KEYS[4]
local maxLen, id, requestId = ARGV[1], ARGV[2], ARGV[3]
local job = loadJob(id)
if not job then return {'NOT_FOUND'} end
local details = loadDetails(id)
if replayOf(details, requestId) then return {'OK'} end
if job.s ~= FAILED and job.s ~= CANCELLED then return {'BAD_STATE', STATUS_NAMES[job.s]} end

nowMs()
unfileFinished(STATUS_NAMES[job.s], 1)
requeueFinished(job)
redis.call('HSET', JOBS, id, encodeJob(job))
retakeUniqueKey(id, details)
rememberReply(details, requestId, 'OK')
saveDetails(id, details)
pushReady(prioritiesKey, {id}, count(job.p), false, groupOf(job))
wake(wakeKey)
emit(eventsKey, maxLen, 'pending', {id}, 'retried')
flushEvents()
return {'OK'}
