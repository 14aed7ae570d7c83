-- getDueSchedules: the schedules due now, and when the next one after them is due, on Redis' clock.
-- KEYS[1] base          `<prefix>:{<queue>}:`
-- KEYS[2] schedules     HASH `<base>schedules`
-- KEYS[3] scheduleNext  ZSET `<base>scheduleNext`
-- ARGV[1] how many due schedules to return at most
-- Returns {now ms, ms until the first schedule not returned is due (-1: none), name, tick ms,
-- definition JSON, …}. Reads only. Errors on a malformed number.

local schedulesKey, nextKey = KEYS[2], KEYS[3]
local limit = numberArg(1, 'limit', 1, 1000)
local now = nowMs()
local due = redis.call('ZRANGEBYSCORE', nextKey, '-inf', nowMsText, 'WITHSCORES', 'LIMIT', 0, limit)
local reply = {nowMsText, -1}
for i = 1, #due, 2 do
  local definition = redis.call('HGET', schedulesKey, due[i])
  if definition then
    reply[#reply + 1] = due[i]
    reply[#reply + 1] = due[i + 1]
    reply[#reply + 1] = definition
  end
end
local after = redis.call('ZRANGE', nextKey, #due / 2, #due / 2, 'WITHSCORES')
if after[2] then reply[2] = whole(math.max(0, tonumber(after[2]) - now)) end
return reply
