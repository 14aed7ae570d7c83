-- saveSchedule: adds a schedule or replaces the one of that name. A definition equal to the stored
-- one changes nothing (a host applying its file at every start keeps next and last runs); a
-- paused schedule stays paused.
-- KEYS[1] base          `<prefix>:{<queue>}:`
-- KEYS[2] schedules     HASH `<base>schedules`
-- KEYS[3] scheduleNext  ZSET `<base>scheduleNext`
-- KEYS[4] scheduleRuns  HASH `<base>scheduleRuns`
-- ARGV[1] schedule name
-- ARGV[2] definition JSON
-- ARGV[3] its first run ms
-- Returns 'SAME' when the stored definition was this one, else 'OK'. Errors on a malformed number.

local schedulesKey, nextKey, runsKey = KEYS[2], KEYS[3], KEYS[4]
local name, definition = ARGV[1], ARGV[2]
local firstRun = numberArg(3, 'first run', 0, 1e15)
if redis.call('HGET', schedulesKey, name) == definition then return 'SAME' end
redis.call('HSET', schedulesKey, name, definition)
local stored = redis.call('HGET', runsKey, name)
if not (stored and cjson.decode(stored).paused) then redis.call('ZADD', nextKey, whole(firstRun), name) end
return 'OK'
