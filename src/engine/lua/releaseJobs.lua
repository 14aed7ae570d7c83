-- releaseJobs: hands running jobs back to the queue (forced shutdown): each goes to the head of its
-- priority level as `pending`, and the interrupted attempt is not counted.
-- KEYS[1] base        `<prefix>:{<queue>}:`
-- KEYS[2] priorities  ZSET `<base>priorities`
-- KEYS[3] active      ZSET `<base>active`
-- KEYS[4] wake        LIST `<base>wake`
-- KEYS[5] events      STREAM `<base>events`
-- ARGV[1] events max length
-- ARGV[2..] pairs of job id, lease token
-- Returns the number of jobs handed back (jobs no longer held are skipped).
-- @include lib

local base, prioritiesKey, activeKey, wakeKey, eventsKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local now = nowMs()
local released = {}
for i = 2, #ARGV, 2 do
  local id, token = ARGV[i], ARGV[i + 1]
  local jk = jobKey(base, id)
  local current = redis.call('HMGET', jk, 's', 'l')
  if current[1] == 'processing' and current[2] == token then
    redis.call('ZREM', activeKey, id)
    redis.call('HINCRBY', jk, 'a', -1)
    requeue(base, prioritiesKey, id, true, 'l')
    released[#released + 1] = id
  end
end
if #released > 0 then wake(wakeKey) end
emit(eventsKey, ARGV[1], 'pending', released, 'released')
return #released
