-- getRateLimit: a queue's rate limit and how full its window is now; reads only.
-- KEYS[1] base  `<prefix>:{<queue>}:` (`<base>rateLimit` and `<base>rateStarts` are built from it)
-- Returns {} when the queue has no limit, else {max, per ms, jobs started in the last per ms,
-- ms until another job may start (0: one may now)}.

local limit = storedRateLimit()
if not limit then return {} end
local now = nowMs()
local started = redis.call('ZCOUNT', rateStartsKey(), now - limit.per + 1, '+inf')
return {limit.max, limit.per, started, started < limit.max and 0 or windowOpensIn(limit, now)}
