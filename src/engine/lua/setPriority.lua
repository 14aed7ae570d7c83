-- setPriority: re-orders a waiting job. A ready job moves to the tail of its new priority level at
-- once, as if it entered `pending` now; a delayed or retrying job keeps its run-at and takes the
-- new priority when it is due.
-- KEYS[1] base        `<prefix>:{<queue>}:`
-- KEYS[2] priorities  ZSET `<base>priorities`
-- KEYS[3] delayed     ZSET `<base>delayed`
-- KEYS[4] events      STREAM `<base>events`
-- ARGV[1] events max length
-- ARGV[2] job id
-- ARGV[3] new priority
-- ARGV[4] request id (the same request sent again gets the first answer and changes nothing)
-- Returns {'OK'} | {'NOT_FOUND'} | {'BAD_STATE', status}.
-- Errors (before any write) when the priority is not an integer.

local prioritiesKey, delayedKey, eventsKey = KEYS[2], KEYS[3], KEYS[4]
local maxLen, id, requestId = ARGV[1], ARGV[2], ARGV[4]
local priority = numberArg(3, 'priority', -1e9, 1e9)
if priority % 1 ~= 0 then error('flexq: setPriority priority must be an integer, got ' .. ARGV[3]) end
local job = loadJob(id)
if not job then return {'NOT_FOUND'} end
local details = loadDetails(id)
if replayOf(details, requestId) then return {'OK'} end
if job.s ~= PENDING and job.s ~= RETRYING then return {'BAD_STATE', STATUS_NAMES[job.s]} end

local previous = count(job.p)
local ready = job.s == PENDING and not redis.call('ZSCORE', delayedKey, id) and previous ~= priority
-- The old level's entry becomes a tombstone (see includes/ready-order.lua); one job still.
if ready then retireReadyEntry(job, id) end
job.p = priority == 0 and '' or whole(priority)
if ready then
  nowMs()
  pushReady(prioritiesKey, {id}, whole(priority), false, groupOf(job))
  countReady(-1)
  job.e = nowUsText
end
redis.call('HSET', JOBS, id, encodeJob(job))
rememberReply(details, requestId, 'OK')
saveDetails(id, details)
emit(eventsKey, maxLen, 'priority', {id}, whole(priority))
flushEvents()
return {'OK'}
