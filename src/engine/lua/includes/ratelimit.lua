-- Rate limits, for the claims and for getRateLimit and setRateLimit (needs lib).
-- At most `max` jobs of a queue start in any `per` ms, counted on Redis' clock across every
-- worker. `<base>rateLimit` (STRING `max|per|queue max`, written by setRateLimit; a sharded queue's
-- shards each hold a share of the queue's max) is the limit, and
-- `<base>rateStarts` (ZSET `<job id>,<lease token>` -> start ms) holds one member per start of the
-- last `per` ms: a claim trims what fell out of the window and counts the rest (ZCARD), so the
-- window slides (no burst of 2 × max across a boundary, as fixed windows allow), each start costs
-- O(log max), and the set never holds more than `max` members. A queue without a limit pays
-- nothing more per claim: the claim's MGET reads the limit key with the others.

local function rateLimitKey()
  return BASE .. 'rateLimit'
end

local function rateStartsKey()
  return BASE .. 'rateStarts'
end

-- A limit as stored (a claim reads it in its MGET) as {max, per}, or nil for none.
local function parseRateLimit(stored)
  local max, per = string.match(stored or '', '^(%d+)|(%d+)')
  if max then return {max = tonumber(max), per = tonumber(per)} end
end

-- The queue's limit as {max, per}, or nil when it has none.
local function storedRateLimit()
  return parseRateLimit(redis.call('GET', rateLimitKey()))
end

-- Ms until the oldest start of the window leaves it (at least 1), for a full window.
local function windowOpensIn(limit, now)
  local oldest = redis.call('ZRANGEBYSCORE', rateStartsKey(), now - limit.per + 1, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)[2]
  return oldest and math.max(1, tonumber(oldest) + limit.per - now) or 1
end

-- How many of `wanted` jobs may start now under `limit` (parseRateLimit's, nil: none), and the
-- limit with the starts in its window. Drops the starts that fell out of the window.
local function startsAllowed(wanted, now, limit)
  if not limit then return wanted, nil end
  redis.call('ZREMRANGEBYSCORE', rateStartsKey(), '-inf', now - limit.per)
  limit.started = redis.call('ZCARD', rateStartsKey())
  return math.max(0, math.min(wanted, limit.max - limit.started)), limit
end

-- The lease token (claim count) of a record as a claim returns it (its run state's second field).
local CLAIMS = '^%a[^,|]*,([^,|]*),'

-- Counts the starts of a claim (`claimed`: flat id, record list) in the window. Returns ms until
-- the window lets another job start when it is full now, else -1 (also with no limit).
local function countStarts(limit, claimed, now)
  if not limit then return -1 end
  local members = {}
  for i = 1, #claimed, 2 do
    members[#members + 1] = now
    members[#members + 1] = claimed[i] .. ',' .. string.match(claimed[i + 1], CLAIMS)
  end
  if #members > 0 then
    variadic('ZADD', rateStartsKey(), members, 1000)
    -- Gone by itself once a window passes without starts (and after the limit is lifted).
    redis.call('PEXPIRE', rateStartsKey(), limit.per)
  end
  if limit.started + #members / 2 < limit.max then return -1 end
  return windowOpensIn(limit, now)
end
