-- addJobs: stores new jobs and makes them ready (or schedules them), all or none.
-- KEYS[1] base        `<prefix>:{<queue>}:` (the job store and ready lists are built from it)
-- KEYS[2] priorities  ZSET `<base>priorities`
-- KEYS[3] delayed     ZSET `<base>delayed`
-- KEYS[4] wake        LIST `<base>wake`
-- KEYS[5] events      STREAM `<base>events`
-- ARGV[1] events max length
-- ARGV[2] number of jobs n
-- ARGV[3] delay ms of every job (0 = ready now), or '' when they differ
-- ARGV[4] priority of every job, or '' when they differ
-- ARGV[5…4+n] the jobs' ids; ARGV[5+n…4+2n] their records from max attempts on:
--         `max attempts|priority|delay|timeout|type length|type payload JSON`
-- ARGV[5+2n…4+3n], ARGV[5+3n…4+4n] only when ARGV[3] or ARGV[4] is '': each job's delay, priority
-- Returns {'OK', created µs} or {'ID_EXISTS', id} when an id is taken or repeated (nothing is stored then).

local prioritiesKey, delayedKey, wakeKey, eventsKey = KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local maxLen = ARGV[1]

local n = tonumber(ARGV[2])
local uniform = ARGV[3] ~= '' and ARGV[4] ~= ''
local ids, seen = {}, {}
for i = 1, n do
  local id = ARGV[4 + i]
  if seen[id] then return {'ID_EXISTS', id} end
  seen[id] = true
  ids[i] = id
end
-- Priorities stay text: a priority names a ready list and scores the priorities set as it is.
local function delayOf(i)
  return tonumber(uniform and ARGV[3] or ARGV[4 + 2 * n + i])
end
local function priorityOf(i)
  return uniform and ARGV[4] or ARGV[4 + 3 * n + i]
end
for i, record in ipairs(variadic('HMGET', JOBS, ids, 1000)) do
  if record then return {'ID_EXISTS', ids[i]} end
end

local now = nowMs()
local batch, scheduled, delayed = {}, {}, {}
-- The common batch: every job ready now at one priority, which goes to its list as it is.
local allReady = uniform and ARGV[3] == '0'
local readyIds, readyLevels = allReady and ids or {}, {}
for i = 1, n do
  local id = ids[i]
  local runAt = ''
  if not allReady then
    local delay = delayOf(i)
    if delay > 0 then
      runAt = whole(now + delay)
      scheduled[#scheduled + 1] = now + delay
      scheduled[#scheduled + 1] = id
      delayed[#delayed + 1] = id
    else
      readyIds[#readyIds + 1] = id
      readyLevels[#readyLevels + 1] = priorityOf(i)
    end
  end
  -- Status pending; no attempts, claims, entered, processed or failed time yet (format in lib).
  batch[2 * i - 1] = id
  batch[2 * i] = PENDING .. '||||||' .. runAt .. '|' .. nowUsText .. '|' .. ARGV[4 + n + i]
end

-- One write for the store, one per priority level and one for the schedule, however many jobs
-- the batch holds.
saveJobs(batch)
if allReady then
  pushReady(prioritiesKey, ids, ARGV[4], false)
else
  fileReady(prioritiesKey, readyIds, readyLevels, false)
end
schedule(delayedKey, wakeKey, scheduled)
if #readyIds > 0 then wake(wakeKey) end
emit(eventsKey, maxLen, 'added', readyIds)
emit(eventsKey, maxLen, 'delayed', delayed)
flushEvents()
return {'OK', nowUsText}
