-- setRateLimit: sets or lifts a queue's rate limit, for every worker everywhere (see
-- includes/ratelimit.lua); running jobs are not touched.
-- KEYS[1] base    `<prefix>:{<queue>}:` (`<base>rateLimit` and `<base>rateStarts` are built from it)
-- KEYS[2] wake    LIST `<base>wake`
-- KEYS[3] events  STREAM `<base>events`
-- ARGV[1] events max length
-- ARGV[2] max jobs started per window (0 lifts the limit)
-- ARGV[3] window ms (ignored when lifting)
-- ARGV[4] the queue's whole max (a sharded queue's shards each store a share of it as ARGV[2])
-- ARGV[5] '1' to add the rateLimit event to the feed (shard 0 of a sharded queue), '' not to
-- Stores `<share>|<per>|<whole max>`, so that any change of the queue's limit changes every shard's.
-- Returns 1 when the limit changed, 0 when it already was so (a resend changes nothing).
-- Errors (before any write) when max or the window is out of range.

local wakeKey, eventsKey = KEYS[2], KEYS[3]
local max = numberArg(2, 'max', 0, 1e6)
local per = numberArg(3, 'per', 0, 1e12)
local wholeMax = numberArg(4, 'whole max', 0, 1e6)
if max ~= math.floor(max) or per ~= math.floor(per) or (max > 0 and per < 1) then
  error('flexq: setRateLimit max and per must be whole numbers, per at least 1, got ' .. ARGV[2] .. ' and ' .. ARGV[3])
end
local wanted = max > 0 and (whole(max) .. '|' .. whole(per) .. '|' .. whole(wholeMax)) or false
if (redis.call('GET', rateLimitKey()) or false) == wanted then return 0 end
if wanted then
  redis.call('SET', rateLimitKey(), wanted)
else
  -- The starts counted so far go too: a limit set later starts from an empty window.
  redis.call('DEL', rateLimitKey(), rateStartsKey())
end
-- Workers held back by the old limit claim again within their poll time; an idle one is woken
-- now, as a resume does, in case the new limit lets jobs start at once.
wake(wakeKey)
-- The event's detail is the queue's new limit, `max|per`, or '' once lifted.
if ARGV[5] == '1' then
  local detail = max > 0 and (whole(wholeMax) .. '|' .. whole(per)) or ''
  redis.call('XADD', eventsKey, 'MAXLEN', '~', ARGV[1], '*', 'rateLimit', '', 'rateLimit!', detail)
end
return 1
