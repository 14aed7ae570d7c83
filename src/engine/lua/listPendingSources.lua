-- listPendingSources: the sources of pending jobs and how many entries each holds, a slice of the
-- levels at a time, for src/engine/pending-pages.ts's page by rank; reads only. A source is a
-- level (its ready list, in time order: see includes/ready-order.lua), `grouped` (the fair
-- groups' ready jobs, a ZSET by time: see includes/ready-lists.lua) or `due` (the delayed jobs
-- already due). O(log levels + count): a queue of thousands of levels is listed in as many calls,
-- each slice after the last level of the one before (a level that leaves meanwhile moves no other).
-- KEYS[1] base        `<prefix>:{<queue>}:` (the ready lists `<base>ready:<level>` are built from it)
-- KEYS[2] priorities  ZSET `<base>priorities` (level -> level: its score is its number)
-- KEYS[3] delayed     ZSET `<base>delayed`
-- ARGV[1] now ms: delayed jobs due by then are pending ('' on the first call: Redis's clock)
-- ARGV[2] the last level of the slice before ('' for the first slice: from the highest level)
-- ARGV[3] how many levels (1 to 1,000)
-- Returns {now, source, entries, source, entries, …}: the levels of the slice, highest first and,
-- once fewer than asked are left, `grouped` (when it holds jobs) and `due`.

local prioritiesKey, delayedKey = KEYS[2], KEYS[3]
local nowText = whole(ARGV[1] ~= '' and numberArg(1, 'now', 0, 1e15) or nowMs())
local after = '+inf'
if ARGV[2] ~= '' then
  if not string.match(ARGV[2], '^%-?%d+$') then error('flexq: ARGV[2] last level must be an integer, got ' .. ARGV[2]) end
  after = '(' .. ARGV[2]
end
local count = numberArg(3, 'levels', 1, 1000)
if count % 1 ~= 0 then error('flexq: ARGV[3] levels must be a whole number, got ' .. ARGV[3]) end

local reply = {nowText}
local levels = redis.call('ZREVRANGEBYSCORE', prioritiesKey, after, '-inf', 'LIMIT', 0, count)
for _, level in ipairs(levels) do
  push(reply, level, redis.call('LLEN', readyKey(level)))
end
if #levels < count then
  local grouped = redis.call('ZCARD', BASE .. GROUPED_PENDING)
  if grouped > 0 then push(reply, 'grouped', grouped) end
  push(reply, 'due', redis.call('ZCOUNT', delayedKey, '-inf', nowText))
end
return reply
