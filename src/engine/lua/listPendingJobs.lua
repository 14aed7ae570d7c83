-- listPendingJobs: one page of pending job ids: ready ones and delayed ones already due (as
-- getStats counts them), newest first by the time they became ready; reads only. Each ready list is oldest-first at the tail, except for jobs put
-- back at its head (recovered or handed back), so only the first and last offset+limit ids of every
-- level can be on the page: the cost is O(levels × (offset + limit)), not O(queue length).
-- KEYS[1] base        `<prefix>:{<queue>}:`
-- KEYS[2] priorities  ZSET `<base>priorities`
-- KEYS[3] delayed     ZSET `<base>delayed`
-- ARGV[1] offset
-- ARGV[2] limit
-- Returns job ids.

local prioritiesKey, delayedKey = KEYS[2], KEYS[3]
local offset, limit = numberArg(1, 'offset', 0, 1e9), numberArg(2, 'limit', 1, 10000)
local window = offset + limit
-- Entries as found (a list's stale entries included, see readyEntryValid in lib): id, position,
-- and the level of a list entry (none for a due delayed job).
local ids, positions, levels = {}, {}, {}

local function add(id, position, level)
  ids[#ids + 1], positions[#positions + 1], levels[#levels + 1] = id, position, level or false
end

for _, priority in ipairs(redis.call('ZRANGE', prioritiesKey, 0, -1)) do
  local list = readyKey(priority)
  for i, id in ipairs(redis.call('LRANGE', list, -window, -1)) do add(id, i, priority) end
  for i, id in ipairs(redis.call('LRANGE', list, 0, window - 1)) do add(id, -window - i, priority) end
end

-- Due delayed jobs, the latest run-at first: which are on the page follows from their times.
for i, id in ipairs(redis.call('ZREVRANGEBYSCORE', delayedKey, nowMs(), '-inf', 'LIMIT', 0, window)) do add(id, -i) end

-- Each job once, from its first valid entry.
local candidates, seen = {}, {}
local records = variadic('HMGET', JOBS, ids, 1000)
for i, id in ipairs(ids) do
  local record = records[i]
  if record and not seen[id] and (not levels[i] or readyEntryValid(record, levels[i])) then
    seen[id] = true
    local job = decodeJob(record)
    candidates[#candidates + 1] = {id = id, at = tonumber(job.e) or tonumber(job.c), position = positions[i]}
  end
end

table.sort(candidates, function(x, y)
  if x.at ~= y.at then return x.at > y.at end
  return x.position > y.position
end)

local page = {}
for i = offset + 1, math.min(window, #candidates) do page[#page + 1] = candidates[i].id end
return page
