-- countFinishedNewer: how many entries of a finished status's list finished after a pivot time (or
-- no earlier), for a sharded queue's page by rank (src/engine/sharded-pages.ts); reads only.
-- A binary search by time over the list (includes/finished.lua): O(log n) reads in one call,
-- where a search from Node would take a round trip a step.
-- KEYS[1] base       `<prefix>:{<queue>}:`
-- KEYS[2] completed  LIST `<base>completed`
-- KEYS[3] failed     LIST `<base>failed`
-- KEYS[4] cancelled  LIST `<base>cancelled`
-- ARGV[1] status: completed, failed or cancelled
-- ARGV[2] the pivot time, µs
-- ARGV[3] 1: count the entries no older than the pivot; 0: newer than it
-- Returns the count: the entries at ranks [0, count) from the newest are the ones counted.

local lists = {completed = KEYS[2], failed = KEYS[3], cancelled = KEYS[4]}
local listKey = lists[ARGV[1]]
if not listKey then error('flexq: ARGV[1] status must be completed, failed or cancelled, got ' .. tostring(ARGV[1])) end
local pivot = numberArg(2, 'pivot', -1e17, 1e17)
if ARGV[3] ~= '0' and ARGV[3] ~= '1' then error('flexq: ARGV[3] must be 1 (no older) or 0 (newer), got ' .. tostring(ARGV[3])) end

-- Newer than the pivot: every entry but those at or before it; no older: all but those before it.
return redis.call('LLEN', listKey) - entriesBefore(listKey, pivot, ARGV[3] == '0')
