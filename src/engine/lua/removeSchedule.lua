-- removeSchedule: removes a schedule with its next and last runs; jobs it added stay.
-- KEYS[1] base          `<prefix>:{<queue>}:`
-- KEYS[2] schedules     HASH `<base>schedules`
-- KEYS[3] scheduleNext  ZSET `<base>scheduleNext`
-- KEYS[4] scheduleRuns  HASH `<base>scheduleRuns`
-- ARGV[1] schedule name
-- Returns 1 when it was there, 0 when not.

local name = ARGV[1]
redis.call('ZREM', KEYS[3], name)
redis.call('HDEL', KEYS[4], name)
return redis.call('HDEL', KEYS[2], name)
