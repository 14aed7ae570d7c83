-- countPendingNewer: for a pivot time, how many entries of each given pending source are newer
-- than it (or no older), for src/engine/rank-search.ts's search of a page by rank; reads only.
-- Sources as listPendingSources names them. A level's count is a binary search by time within
-- the ranks the search still has in question (includes/ready-order.lua): O(log n) reads per
-- source. The call stops once it has run its time budget (checked between two sources), so
-- however many sources are asked for, no call holds Redis long.
-- KEYS[1] base        `<prefix>:{<queue>}:` (the ready lists `<base>ready:<level>` are built from it)
-- KEYS[2] priorities  ZSET `<base>priorities` (unread; named so the call carries the queue's slot)
-- KEYS[3] delayed     ZSET `<base>delayed`
-- ARGV[1] now ms: delayed jobs due by then are pending
-- ARGV[2] time budget of the call, µs (0: one source per call)
-- ARGV[3] the pivot time, µs
-- ARGV[4] 1: count the entries no older than the pivot; 0: newer than it
-- ARGV[5..] triples: source, from, to: the ranks (0: the newest entry) the count is known to lie
--           within, whole numbers (1 to 1,000 triples)
-- Returns the counts of the first sources given, in order: one at least, more while the budget lasts.
-- A level's count lies within [from, to]; a ZSET source's is counted whole.

local delayedKey = KEYS[3]
local nowText = whole(numberArg(1, 'now', 0, 1e15))
local budget = numberArg(2, 'budget', 0, 1e6)
local pivot = numberArg(3, 'pivot', -1e17, 1e17)
if ARGV[4] ~= '0' and ARGV[4] ~= '1' then error('flexq: ARGV[4] must be 1 (no older) or 0 (newer), got ' .. tostring(ARGV[4])) end
local orEqual = ARGV[4] == '1'
local triples = (#ARGV - 4) / 3
if triples < 1 or triples > 1000 or triples % 1 ~= 0 then
  error('flexq: ARGV[5..] must be 1 to 1,000 triples of source, from, to; got ' .. (#ARGV - 4) .. ' values')
end
-- Every rank checked before the first count: a bad one found halfway would answer for half the sources.
for i = 6, #ARGV, 3 do
  local from, to = ARGV[i], ARGV[i + 1]
  if not string.match(from, '^%d+$') or not string.match(to, '^%d+$') or tonumber(from) > tonumber(to) then
    error('flexq: ARGV[' .. i .. '..' .. (i + 1) .. '] ranks must be whole numbers, from no greater than to; got ' .. from .. ', ' .. to)
  end
end

nowMs()
local started = nowUs

local function countOf(source, from, to)
  if source == 'grouped' then
    return redis.call('ZCOUNT', BASE .. GROUPED_PENDING, string.format(orEqual and '%.0f' or '(%.0f', pivot), '+inf')
  end
  if source == 'due' then
    return redis.call('ZCOUNT', delayedKey, string.format(orEqual and '%.3f' or '(%.3f', pivot / 1000), nowText)
  end
  local key = readyKey(source)
  local len = redis.call('LLEN', key)
  to = math.min(to, len)
  if from >= to then return to end
  -- Entries of the pivot's time are usually few after the newer ones: gallop to their end.
  return firstOlder(key, source, len, pivot, from, to, not orEqual, orEqual)
end

local counts = {}
for i = 5, #ARGV, 3 do
  counts[#counts + 1] = countOf(ARGV[i], tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2]))
  nowMs()
  if nowUs - started >= budget then break end
end
return counts
