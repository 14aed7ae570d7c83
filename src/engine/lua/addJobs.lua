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
-- then the unique jobs, counted from the end: (job index, unique key, uniqueFor ms or 0) for each,
--         then their number m (0 for none); see includes/unique.lua
-- Returns {'OK', created µs[, duplicates]} or {'ID_EXISTS', id} when an id is taken by another job
-- or repeated (nothing is stored then). Duplicates come only when a unique job's key was held: flat
-- job index, holder id, holder record ('' for a job of this call), holder details (or ''); those
-- jobs are not stored. The same call sent again (its reply was lost) finds its own jobs
-- stored and gets {'OK', their created µs}, storing nothing. Errors (before any write) on a
-- malformed number or priority.

local prioritiesKey, delayedKey, wakeKey, eventsKey = KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local maxLen = ARGV[1]

local n = numberArg(2, 'number of jobs', 1, 1e7)
-- Jobs whose unique key is held are dropped here (see includes/unique.lua).
local unique = planUniqueJobs(n)
n = unique.n
local uniform = ARGV[3] ~= '' and ARGV[4] ~= ''
local function checkPriority(text)
  if not string.match(text, '^%-?%d+$') then error('flexq: addJobs priority must be an integer, got ' .. text) end
  return text
end
local ids, seen = {}, {}
for i = 1, n do
  local id = ARGV[4 + i]
  if seen[id] then return {'ID_EXISTS', id} end
  seen[id] = true
  ids[i] = id
end
-- Priorities stay text: a priority names a ready list and scores the priorities set as it is.
local function delayOf(i)
  return uniform and tonumber(ARGV[3]) or numberArg(4 + 2 * n + i, 'delay', 0, 1e13)
end
local function priorityOf(i)
  return uniform and ARGV[4] or checkPriority(ARGV[4 + 3 * n + i])
end
if uniform then
  numberArg(3, 'delay', 0, 1e13)
  checkPriority(ARGV[4])
end
-- A job of this call stored already means the call was sent before: same id and the same type and
-- payload (its record from the type length on; the head and priority change as the job moves on).
local stored = variadic('HMGET', JOBS, ids, 1000)
local resent
for i = 1, n do
  local record = stored[i]
  if record then
    local typeAndPayload = string.match(ARGV[4 + n + i], '^[^|]*|[^|]*|[^|]*|[^|]*|(.*)$')
    if string.sub(record, -#typeAndPayload - 1) ~= '|' .. typeAndPayload then return {'ID_EXISTS', ids[i]} end
    resent = resent or record
  end
end
if resent then return withDuplicates(unique, {'OK', decodeJob(resent).c}) end

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
holdUniqueKeys(unique)
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
return withDuplicates(unique, {'OK', nowUsText})
