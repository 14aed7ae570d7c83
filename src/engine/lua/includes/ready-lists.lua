-- The ready lists (needs lib): filing pending jobs under their priority level, telling a stale
-- list entry from a valid one, the run order of jobs that become ready together, and promoting
-- due delayed and retrying jobs.

local function readyKey(priority)
  return BASE .. 'ready:' .. priority
end

-- How many jobs the ready lists hold, kept by every push and pop: stats read it in O(1) however
-- many priority levels are in use.
local function countReady(delta)
  if delta == 0 then return end
  -- Below zero only for lists stored before the count existed: it starts from zero there.
  if redis.call('INCRBY', BASE .. 'readyCount', delta) < 0 then redis.call('SET', BASE .. 'readyCount', 0) end
end

-- Appends (or, for jobs that were already waiting, puts back at the head) ready jobs of one
-- level, `ids` in run order. LPUSH puts each value before the last, so a head push goes in reverse
-- to leave the first of `ids` first.
local function pushReady(prioritiesKey, ids, priority, atHead)
  if #ids == 0 then return end
  if atHead then
    local reversed = {}
    for i = #ids, 1, -1 do reversed[#reversed + 1] = ids[i] end
    variadic('LPUSH', readyKey(priority), reversed, 1000)
  else
    variadic('RPUSH', readyKey(priority), ids, 1000)
  end
  redis.call('ZADD', prioritiesKey, priority, priority)
  countReady(#ids)
end

-- Taking a job out of the ready lists (cancel, a new priority) leaves its list entry where it is:
-- finding it would be O(list length). The entry is stale from then on, and a claim or a listing
-- that meets it drops it: it is valid only while its job is pending at the entry's level. (A job
-- cancelled and retried before its old entry was reached runs from the earlier of its entries.)
-- A ready job: pending, no run-at (a delayed one waits in its ZSET), at the entry's level.
local READY_LEVEL = '^p|[^|]*|[^|]*|[^|]*|[^|]*|[^|]*||[^|]*|[^|]*|(%-?%d*)|'

local function readyEntryValid(record, level)
  local priority = string.match(record, READY_LEVEL)
  if not priority then return false end
  return (priority == '' and '0' or priority) == level
end

-- Run order among jobs that fall due (or are handed back) together: the earlier run-at first
-- (`runAt`, id -> ms, when they come from a schedule), then created first, then by id for jobs
-- created by one call, whose ids Node draws in ascending order (ids.ts). A ZSET breaks ties
-- between equal scores by member, which for random ids is no order at all. Created times are
-- digit strings; the longer one is the later.
local function sortForRun(ids, jobs, runAt)
  local order = {}
  for i = 1, #ids do order[i] = i end
  table.sort(order, function(x, y)
    if runAt then
      local rx, ry = runAt[x], runAt[y]
      if rx ~= ry then return rx < ry end
    end
    local cx, cy = jobs[x].c, jobs[y].c
    if cx ~= cy then
      if #cx ~= #cy then return #cx < #cy end
      return cx < cy
    end
    return ids[x] < ids[y]
  end)
  local sortedIds, sortedJobs = {}, {}
  for i, at in ipairs(order) do sortedIds[i], sortedJobs[i] = ids[at], jobs[at] end
  return sortedIds, sortedJobs
end

-- Makes a job `pending` from now, clearing its run-at; the caller stages and files it.
local function makePending(job)
  job.s, job.e, job.r = PENDING, nowUsText, ''
end

-- Files pending jobs in their ready lists (priorities[i] is the level of ids[i]), one write per level.
local function fileReady(prioritiesKey, ids, priorities, atHead)
  if #ids == 0 then return end
  local level, mixed = priorities[1], false
  for i = 2, #priorities do
    if priorities[i] ~= level then
      mixed = true
      break
    end
  end
  -- A batch of one level, the common case, goes to its list as it is.
  if not mixed then return pushReady(prioritiesKey, ids, level, atHead) end
  local byLevel = {}
  for i, id in ipairs(ids) do
    local bucket = byLevel[priorities[i]]
    if not bucket then
      bucket = {}
      byLevel[priorities[i]] = bucket
    end
    bucket[#bucket + 1] = id
  end
  for priority, levelIds in pairs(byLevel) do pushReady(prioritiesKey, levelIds, priority, atHead) end
end

-- Moves up to `limit` due jobs from a schedule ZSET (delayed or retrying) to the ready lists;
-- appends their ids to `promoted`.
local function promoteDue(prioritiesKey, scheduleKey, now, limit, promoted)
  local scored = redis.call('ZRANGEBYSCORE', scheduleKey, '-inf', now, 'WITHSCORES', 'LIMIT', 0, limit)
  if #scored == 0 then return end
  local due = {}
  for i = 1, #scored, 2 do due[#due + 1] = scored[i] end
  variadic('ZREM', scheduleKey, due, 1000)
  local found, jobs, runAt = {}, {}, {}
  for i, job in ipairs(loadJobs(due)) do
    -- Only a job still waiting for its time: the schedule ZSETs and the records change together.
    if job and (job.s == PENDING or job.s == RETRYING) then
      found[#found + 1], jobs[#jobs + 1], runAt[#runAt + 1] = due[i], job, tonumber(scored[2 * i])
    end
  end
  -- Due at the same time, they run in the order they were created (FIFO within a priority).
  local sortedIds, sortedJobs = sortForRun(found, jobs, runAt)
  local ids, priorities, batch = {}, {}, {}
  for i, job in ipairs(sortedJobs) do
    local id = sortedIds[i]
    makePending(job)
    stage(batch, id, job)
    ids[#ids + 1], priorities[#priorities + 1] = id, count(job.p)
    promoted[#promoted + 1] = id
  end
  saveJobs(batch)
  fileReady(prioritiesKey, ids, priorities, false)
end
