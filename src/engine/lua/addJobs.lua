-- addJobs: stores new jobs and makes them ready (or schedules them), all or none.
-- KEYS[1] base        `<prefix>:{<queue>}:` (the job store and ready lists are built from it)
-- KEYS[2] priorities  ZSET `<base>priorities`
-- KEYS[3] delayed     ZSET `<base>delayed`
-- KEYS[4] wake        LIST `<base>wake`
-- KEYS[5] events      STREAM `<base>events`
-- ARGV[1] events max length
-- ARGV[2] number of jobs n
-- ARGV[3] delay ms of every job (0 = ready now), or '' when they differ (or their groups do)
-- ARGV[4] priority of every job, or '' when they differ (or their groups do)
-- ARGV[5] the jobs' ids, comma-separated (one argument costs less to send than n)
-- ARGV[6…5+n] their records from max attempts on:
--         `max attempts|priority|delay|timeout|type length[,group]|type payload JSON`
--         (a common delay and priority also means one group, read from the first record)
-- ARGV[6+n…5+2n], ARGV[6+2n…5+3n] only when ARGV[3] or ARGV[4] is '': each job's delay, priority
-- then the unique jobs, counted from the end: (job index, unique key, uniqueFor ms or 0) for each,
--         then their number m (0 for none); see includes/unique.lua
-- Returns {'OK', created µs[, duplicates]} or {'ID_EXISTS', id} when an id is taken by another job
-- or repeated (nothing is stored then). Duplicates come only when a unique job's key was held: flat
-- job index, holder id, holder record ('' for a job of this call), holder details (or ''); those
-- jobs are not stored. The same call sent again (its reply was lost) finds its own jobs stored
-- (created within the last 10 minutes) and gets {'OK', their created µs}, storing nothing.
-- Errors (before any write) on a malformed number or priority.

local prioritiesKey, delayedKey, wakeKey, eventsKey = KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local GROUP_IN_TAIL = '^[^|]*|[^|]*|[^|]*|[^|]*|%d+,([^|]*)|'
local maxLen = ARGV[1]

local n = numberArg(2, 'number of jobs', 1, 1e7)
local uniform = ARGV[3] ~= '' and ARGV[4] ~= ''
local function checkPriority(text)
  if not string.match(text, '^%-?%d+$') then error('flexq: addJobs priority must be an integer, got ' .. text) end
  return text
end
local ids, count = {}, 0
for id in string.gmatch(ARGV[5], '[^,]+') do
  count = count + 1
  ids[count] = id
end
if count ~= n then error('flexq: addJobs got ' .. count .. ' ids for ' .. n .. ' jobs') end
-- Jobs whose unique key is held are dropped here, from ARGV and `ids` (see includes/unique.lua).
local unique = planUniqueJobs(ids)
n = #ids
-- Priorities stay text: a priority names a ready list and scores the priorities set as it is.
local function delayOf(i)
  return uniform and tonumber(ARGV[3]) or numberArg(5 + n + i, 'delay', 0, 1e13)
end
local function priorityOf(i)
  return uniform and ARGV[4] or checkPriority(ARGV[5 + 2 * n + i])
end
if uniform then
  numberArg(3, 'delay', 0, 1e13)
  checkPriority(ARGV[4])
end
-- A job of this call stored already means the call was sent before (isResentJob).
-- The reply for such a call, or nil when none of `stored` (records by position) is there.
local function resentReply(stored)
  local resent
  for i = 1, n do
    local record = stored[i]
    if record then
      if not isResentJob(record, ARGV[5 + i]) then return {'ID_EXISTS', ids[i]} end
      resent = resent or record
    end
  end
  if resent then return withDuplicates(unique, {'OK', whole(createdUs(decodeJob(resent)))}) end
end
local now = nowMs()
-- Every job of the call resolved to a holder of its key: nothing to store.
if n == 0 then return withDuplicates(unique, {'OK', nowUsText}) end
-- A batch is looked up first; a single job is stored with HSETNX below, which looks and writes at once.
if n > 1 then
  local reply = resentReply(variadic('HMGET', JOBS, ids, 1000))
  if reply then return reply end
end

local batch, scheduled, delayed = {}, {}, {}
-- The common batch: every job ready now at one priority, which goes to its list as it is.
local allReady = uniform and ARGV[3] == '0'
local readyIds, readyLevels, readyGroups = allReady and ids or {}, {}, {}
-- The record's head is the same for every job ready now: made once, not per job.
local readyHead = newJobHead('')
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
      readyGroups[#readyGroups + 1] = string.match(ARGV[5 + i], GROUP_IN_TAIL) or ''
    end
  end
  batch[2 * i - 1] = id
  batch[2 * i] = (runAt == '' and readyHead or newJobHead(runAt)) .. ARGV[5 + i]
end

-- The first id `ids` repeats.
local function repeatedId()
  local seen = {}
  for _, id in ipairs(ids) do
    if seen[id] then return id end
    seen[id] = true
  end
end

-- One write for the store, one per priority level and one for the schedule, however many jobs
-- the batch holds. HSET counts the fields it creates, and the HMGET above found none of these ids
-- stored: fewer than n means the call repeats an id (one job would be queued twice), and what it
-- wrote goes again before anything else is written. Cheaper than a set of the ids checked first.
if n > 1 then
  local created = 0
  for i = 1, 2 * n, 1000 do created = created + redis.call('HSET', JOBS, unpack(batch, i, math.min(i + 999, 2 * n))) end
  if created < n then
    variadic('HDEL', JOBS, ids, 1000)
    return {'ID_EXISTS', repeatedId()}
  end
elseif redis.call('HSETNX', JOBS, ids[1], batch[2]) == 0 then
  return resentReply({redis.call('HGET', JOBS, ids[1])})
end
holdUniqueKeys(unique)
if allReady then
  pushReady(prioritiesKey, ids, ARGV[4], false, string.match(ARGV[6], GROUP_IN_TAIL))
else
  fileReady(prioritiesKey, readyIds, readyLevels, false, readyGroups)
end
schedule(delayedKey, wakeKey, scheduled)
if #readyIds > 0 then wake(wakeKey) end
emit(eventsKey, maxLen, 'added', readyIds)
emit(eventsKey, maxLen, 'delayed', delayed)
flushEvents()
return withDuplicates(unique, {'OK', nowUsText})
