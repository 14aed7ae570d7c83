-- addJobs: stores new jobs and makes them ready (or schedules them), all or none.
-- KEYS[1] base        `<prefix>:{<queue>}:` (the job store and ready lists are built from it)
-- KEYS[2] priorities  ZSET `<base>priorities`
-- KEYS[3] delayed     ZSET `<base>delayed`
-- KEYS[4] wake        LIST `<base>wake`
-- KEYS[5] events      STREAM `<base>events`
-- ARGV[1] events max length
-- ARGV[2] the jobs' `id,delay ms,priority` triples, `;`-separated (delay 0 = ready now)
-- ARGV[3…] per job, in that order, its record from max attempts on:
--         `max attempts|priority|delay|timeout|type length|type payload JSON`
-- Returns {'OK', created µs} or {'ID_EXISTS', id} when an id is taken or repeated (nothing is stored then).
-- @include lib

local prioritiesKey, delayedKey, wakeKey, eventsKey = KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local maxLen = ARGV[1]

-- Plain finds, not a pattern: this loop runs once per job, and patterns are slow in Lua.
local ids, delays, priorities, seen, n = {}, {}, {}, {}, 0
local header, at = ARGV[2], 1
while at <= #header do
  local idEnd = string.find(header, ',', at, true)
  local delayEnd = string.find(header, ',', idEnd + 1, true)
  local priorityEnd = string.find(header, ';', delayEnd + 1, true) or #header + 1
  local id = string.sub(header, at, idEnd - 1)
  if seen[id] then return {'ID_EXISTS', id} end
  seen[id] = true
  n = n + 1
  ids[n] = id
  delays[n] = tonumber(string.sub(header, idEnd + 1, delayEnd - 1))
  -- Kept as text: it names a ready list and scores the priorities set as it is.
  priorities[n] = string.sub(header, delayEnd + 1, priorityEnd - 1)
  at = priorityEnd + 1
end
for i, record in ipairs(variadic('HMGET', JOBS, ids, 1000)) do
  if record then return {'ID_EXISTS', ids[i]} end
end

local now = nowMs()
local batch, scheduled, delayed = {}, {}, {}
local readyIds, readyLevels = {}, {}
for i = 1, n do
  local id, delay = ids[i], delays[i]
  local runAt = ''
  if delay > 0 then
    runAt = whole(now + delay)
    scheduled[#scheduled + 1] = now + delay
    scheduled[#scheduled + 1] = id
    delayed[#delayed + 1] = id
  else
    readyIds[#readyIds + 1] = id
    readyLevels[#readyLevels + 1] = priorities[i]
  end
  -- Status pending; no attempts, claims, entered, processed or failed time yet (format in lib).
  batch[2 * i - 1] = id
  batch[2 * i] = PENDING .. '||||||' .. runAt .. '|' .. nowUsText .. '|' .. ARGV[2 + i]
end

-- One write for the store, one per priority level and one for the schedule, however many jobs
-- the batch holds.
saveJobs(batch)
fileReady(prioritiesKey, readyIds, readyLevels, false)
schedule(delayedKey, wakeKey, scheduled)
if #readyIds > 0 then wake(wakeKey) end
emit(eventsKey, maxLen, 'added', readyIds)
emit(eventsKey, maxLen, 'delayed', delayed)
flushEvents()
return {'OK', nowUsText}
