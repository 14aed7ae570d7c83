-- setSchedulePaused: pauses a schedule (no runs until resumed) or resumes it from a given run.
-- KEYS[1] base          `<prefix>:{<queue>}:`
-- KEYS[2] schedules     HASH `<base>schedules`
-- KEYS[3] scheduleNext  ZSET `<base>scheduleNext`
-- KEYS[4] scheduleRuns  HASH `<base>scheduleRuns`
-- ARGV[1] schedule name
-- ARGV[2] '1' to pause, '0' to resume
-- ARGV[3] the next run ms when resuming
-- Returns 1 when the state changed, 0 when it already was so, -1 when there is no such schedule.
-- Errors (before any write) on a malformed number.

local schedulesKey, nextKey, runsKey = KEYS[2], KEYS[3], KEYS[4]
local name, pause = ARGV[1], ARGV[2] == '1'
local nextRun = numberArg(3, 'next run', 0, 1e15)
if redis.call('HEXISTS', schedulesKey, name) == 0 then return -1 end
local stored = redis.call('HGET', runsKey, name)
local state = stored and cjson.decode(stored) or {}
if (state.paused == true) == pause then return 0 end
if pause then
  state.paused = true
  redis.call('ZREM', nextKey, name)
else
  state.paused = nil
  redis.call('ZADD', nextKey, whole(nextRun), name)
end
redis.call('HSET', runsKey, name, cjson.encode(state))
return 1
