-- getStats: counts the jobs of a queue by state; reads only, O(number of priority levels).
-- KEYS[1] base        `<prefix>:{<queue>}:`
-- KEYS[2] priorities  ZSET `<base>priorities`
-- KEYS[3] delayed     ZSET `<base>delayed`
-- KEYS[4] retrying    ZSET `<base>retrying`
-- KEYS[5] active      ZSET `<base>active`
-- KEYS[6] completed   ZSET `<base>completed`
-- KEYS[7] failed      ZSET `<base>failed`
-- KEYS[8] cancelled   ZSET `<base>cancelled`
-- KEYS[9] paused      STRING `<base>paused`
-- Returns {pending, delayed, processing, retrying, completed, failed, cancelled, paused 0|1,
--          µs the oldest ready job entered pending (-1: none)}.
-- A delayed job already due counts as pending: it no longer waits for its time.

local prioritiesKey, delayedKey = KEYS[2], KEYS[3]
local now = nowMs()
local ready, oldest = 0, -1
for _, priority in ipairs(redis.call('ZRANGE', prioritiesKey, 0, -1)) do
  local list = readyKey(priority)
  ready = ready + redis.call('LLEN', list)
  -- Each list is oldest first (but for jobs put back at its head, which are older still).
  local head = redis.call('LINDEX', list, 0)
  local job = head and loadJob(head)
  if job then
    local entered = tonumber(job.e) or tonumber(job.c)
    if oldest < 0 or entered < oldest then oldest = entered end
  end
end
local due = redis.call('ZCOUNT', delayedKey, '-inf', now)
return {
  ready + due,
  redis.call('ZCARD', delayedKey) - due,
  redis.call('ZCOUNT', KEYS[5], '-inf', '(+inf'),
  redis.call('ZCARD', KEYS[4]),
  redis.call('ZCARD', KEYS[6]),
  redis.call('ZCARD', KEYS[7]),
  redis.call('ZCARD', KEYS[8]),
  redis.call('EXISTS', KEYS[9]),
  oldest,
}
