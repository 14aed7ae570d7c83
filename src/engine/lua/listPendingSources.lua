-- listPendingSources: the sources of pending jobs and how many entries each holds, a slice of the
-- levels at a time, for src/engine/pending-search.ts's search of a page by rank; reads only.
-- A source is a level (its ready list, in time order: see includes/ready-order.lua), `grouped`
-- (the fair groups' ready jobs, a ZSET by time: see includes/ready-lists.lua) or `due` (the
-- delayed jobs already due). O(log levels + count): a queue of thousands of levels is listed in
-- as many calls.
-- KEYS[1] base        `<prefix>:{<queue>}:` (the ready lists `<base>ready:<level>` are built from it)
-- KEYS[2] priorities  ZSET `<base>priorities`
-- KEYS[3] delayed     ZSET `<base>delayed`
-- ARGV[1] now ms: delayed jobs due by then are pending ('' on the first call: Redis's clock)
-- ARGV[2] the first level's index, highest level first
-- ARGV[3] how many levels (at most 1,000)
-- Returns {now, levels in all, source, entries, source, entries, …}: the levels asked for and,
-- once they reach the last level, `grouped` (when it holds jobs) and `due`.

local prioritiesKey, delayedKey = KEYS[2], KEYS[3]
local nowText = whole(ARGV[1] ~= '' and numberArg(1, 'now', 0, 1e15) or nowMs())
local first = numberArg(2, 'first level', 0, 1e9)
local count = numberArg(3, 'levels', 1, 1000)

local levels = redis.call('ZCARD', prioritiesKey)
local reply = {nowText, levels}
for _, level in ipairs(redis.call('ZREVRANGE', prioritiesKey, first, first + count - 1)) do
  push(reply, level, redis.call('LLEN', readyKey(level)))
end
if first + count >= levels then
  local grouped = redis.call('ZCARD', BASE .. GROUPED_PENDING)
  if grouped > 0 then push(reply, 'grouped', grouped) end
  push(reply, 'due', redis.call('ZCOUNT', delayedKey, '-inf', nowText))
end
return reply
