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
-- Returns {'OK'} | {'NOT_FOUND'} | {'BAD_STATE', status}
-- @include lib

local base, prioritiesKey, delayedKey, eventsKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local maxLen, id, priority = ARGV[1], ARGV[2], tonumber(ARGV[3])
local jk = jobKey(base, id)
local status = redis.call('HGET', jk, 's')
if not status then return {'NOT_FOUND'} end
if status ~= 'pending' and status ~= 'retrying' then return {'BAD_STATE', status} end

local previous = priorityOf(jk)
if status == 'pending' and not redis.call('ZSCORE', delayedKey, id) and previous ~= priority then
  removeReady(base, prioritiesKey, id, previous)
  pushReady(base, prioritiesKey, id, priority, false)
  nowMs()
  redis.call('HSET', jk, 'e', nowUs)
end
if priority == 0 then redis.call('HDEL', jk, 'p') else redis.call('HSET', jk, 'p', priority) end
emit(eventsKey, maxLen, 'priority', {id}, tostring(priority))
return {'OK'}
