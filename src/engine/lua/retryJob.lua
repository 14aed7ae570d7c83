-- retryJob: a failed or cancelled job goes back to `pending` with its attempts reset, to run again.
-- KEYS[1] base        `<prefix>:{<queue>}:`
-- KEYS[2] priorities  ZSET `<base>priorities`
-- KEYS[3] failed      ZSET `<base>failed`
-- KEYS[4] cancelled   ZSET `<base>cancelled`
-- KEYS[5] wake        LIST `<base>wake`
-- KEYS[6] events      STREAM `<base>events`
-- ARGV[1] events max length
-- ARGV[2] job id
-- ARGV[3] request id (the same request sent again gets the first answer and changes nothing)
-- Returns {'OK'} | {'NOT_FOUND'} | {'BAD_STATE', status}

local prioritiesKey, failedKey, cancelledKey, wakeKey, eventsKey = KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local maxLen, id, requestId = ARGV[1], ARGV[2], ARGV[3]
local job = loadJob(id)
if not job then return {'NOT_FOUND'} end
local details = loadDetails(id)
if replayOf(details, requestId) then return {'OK'} end
if job.s == FAILED then
  redis.call('ZREM', failedKey, id)
elseif job.s == CANCELLED then
  redis.call('ZREM', cancelledKey, id)
else
  return {'BAD_STATE', STATUS_NAMES[job.s]}
end

nowMs()
requeueFinished(job)
redis.call('HSET', JOBS, id, encodeJob(job))
rememberReply(details, requestId, 'OK')
saveDetails(id, details)
pushReady(prioritiesKey, {id}, count(job.p), false, groupOf(job))
wake(wakeKey)
emit(eventsKey, maxLen, 'pending', {id}, 'retried')
flushEvents()
return {'OK'}
