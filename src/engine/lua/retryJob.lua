-- retryJob: a failed or cancelled job goes back to `pending` with its attempts reset, to run again.
-- KEYS[1] base        `<prefix>:{<queue>}:`
-- KEYS[2] priorities  ZSET `<base>priorities`
-- KEYS[3] failed      ZSET `<base>failed`
-- KEYS[4] cancelled   ZSET `<base>cancelled`
-- KEYS[5] wake        LIST `<base>wake`
-- KEYS[6] events      STREAM `<base>events`
-- ARGV[1] events max length
-- ARGV[2] job id
-- Returns {'OK'} | {'NOT_FOUND'} | {'BAD_STATE', status}
-- @include lib

local base, prioritiesKey, failedKey, cancelledKey, wakeKey, eventsKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local maxLen, id = ARGV[1], ARGV[2]
local jk = jobKey(base, id)
local status = redis.call('HGET', jk, 's')
if not status then return {'NOT_FOUND'} end
if status == 'failed' then
  redis.call('ZREM', failedKey, id)
elseif status == 'cancelled' then
  redis.call('ZREM', cancelledKey, id)
else
  return {'BAD_STATE', status}
end

nowMs()
redis.call('HSET', jk, 'a', 0)
requeue(base, prioritiesKey, id, false, 'fa', 'l', 'r')
wake(wakeKey)
emit(eventsKey, maxLen, 'pending', {id}, 'retried')
return {'OK'}
