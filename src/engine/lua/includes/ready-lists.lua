-- The ready lists (needs lib): filing pending jobs under their priority level, telling a stale
-- list entry from a valid one, the run order of jobs that become ready together, and promoting
-- due delayed and retrying jobs.
--
-- Fair groups: a job dispatched with a group (`<type length>,<group>|` in its record) waits in its
-- group's own lane, a set of ready lists and a priorities set of its own, so that claims can take
-- the groups in turn (includes/turns.lua); jobs without a group make up the lane ''. Within a lane
-- the order is as it always was: priority, then oldest first. `<base>groupTurns` (ZSET lane ->
-- the turn it was last served in) holds the lanes that may have ready jobs, `<base>groupTurn`
-- (STRING) the last turn given; it exists once a grouped job was filed, and claims read it to
-- know whether to take turns at all: a queue that never saw a group pays nothing for them.
-- Listings cannot merge one list per group by time (thousands of tenants), so every grouped ready
-- job is also in `<base>groupedPending` (ZSET id -> the µs it became ready): one more source for
-- pages of pending jobs, found by rank in O(log n), left by a job that is claimed or taken out.

local GROUP_TURNS, GROUP_TURN, GROUPED_PENDING = 'groupTurns', 'groupTurn', 'groupedPending'

local function readyKey(priority, group)
  if group and group ~= '' then return BASE .. 'gready:' .. group .. ':' .. priority end
  return BASE .. 'ready:' .. priority
end

-- A lane's priorities set: the queue's own (`prioritiesKey`) for jobs without a group.
local function lanePriorities(prioritiesKey, group)
  if group == '' then return prioritiesKey end
  return BASE .. 'gpriorities:' .. group
end

-- A decoded job's group, '' for none.
local function groupOf(job)
  return string.match(job.tail, '^%d+,([^|]*)|') or ''
end

-- Puts lanes that have ready jobs into the turns, behind those served before (a lane already in
-- them keeps its place). The first grouped job turns taking turns on, with the lane '' in them for
-- good: jobs without a group get their turn like any group.
local function enterTurns(groups)
  local last = redis.call('SET', BASE .. GROUP_TURN, '0', 'NX', 'GET')
  if not last then
    last = '0'
    redis.call('ZADD', BASE .. GROUP_TURNS, 'NX', last, '')
  end
  for i = 1, #groups, 500 do
    local scored = {}
    for j = i, math.min(i + 499, #groups) do push(scored, last, groups[j]) end
    redis.call('ZADD', BASE .. GROUP_TURNS, 'NX', unpack(scored))
  end
end

-- How many jobs the ready lists hold, kept by every push and pop: stats read it in O(1) however
-- many priority levels are in use.
local function countReady(delta)
  if delta == 0 then return end
  -- Below zero only for lists stored before the count existed: it starts from zero there.
  if redis.call('INCRBY', BASE .. 'readyCount', delta) < 0 then redis.call('SET', BASE .. 'readyCount', 0) end
end

-- Lists grouped ready jobs by the time they became ready: now for a tail push (new, promoted,
-- retried, re-prioritised), the time a head push gave their stored records (makePendingAtHead).
local function listGroupedPending(ids, atHead)
  local scored = {}
  if atHead then
    for i, record in ipairs(variadic('HMGET', JOBS, ids, 1000)) do
      local job = decodeJob(record)
      push(scored, job.e ~= '' and job.e or whole(createdUs(job)), ids[i])
    end
  else
    for _, id in ipairs(ids) do push(scored, nowUsText, id) end
  end
  variadic('ZADD', BASE .. GROUPED_PENDING, scored, 1000)
end

-- Appends (or, for jobs that were already waiting, puts back at the head) ready jobs to the list
-- of one level of one lane (`group`, '' for none), `ids` in run order. LPUSH puts each value
-- before the last, so a head push goes in reverse to leave the first of `ids` first. A list that
-- was empty may have left its lane's levels (popLane): only then is its level added back.
local function pushLane(prioritiesKey, ids, priority, atHead, group)
  local values = ids
  if atHead then
    values = {}
    for i = #ids, 1, -1 do values[#values + 1] = ids[i] end
  end
  local length = 0
  for i = 1, #values, 1000 do
    length = redis.call(atHead and 'LPUSH' or 'RPUSH', readyKey(priority, group), unpack(values, i, math.min(i + 999, #values)))
  end
  if length == #ids then redis.call('ZADD', lanePriorities(prioritiesKey, group), priority, priority) end
end

-- Files ready jobs of one level and lane (see pushLane), with the lane in the turns and the job
-- listed when it has a group, and counted.
local function pushReady(prioritiesKey, ids, priority, atHead, group)
  if #ids == 0 then return end
  group = group or ''
  pushLane(prioritiesKey, ids, priority, atHead, group)
  if group ~= '' then
    enterTurns({group})
    listGroupedPending(ids, atHead)
  end
  countReady(#ids)
end

-- Taking a job out of the ready lists (cancel, a new priority) leaves its list entry where it is:
-- finding it would be O(list length). The entry is stale from then on, and a claim or a listing
-- that meets it drops it: it is valid only while its job is pending at the entry's level. (A job
-- cancelled and retried before its old entry was reached runs from the earlier of its entries.)
-- A ready job: pending, no run-at (a delayed one waits in its ZSET; a new job ready now has no
-- run state, any other ends it with an empty run-at), at the entry's level.
local READY_LEVEL = '^p([^|]*)|[^|]*|[^|]*|(%-?%d*)|'

local function readyEntryValid(record, level)
  local run, priority = string.match(record, READY_LEVEL)
  if not priority or (run ~= '' and string.sub(run, -1) ~= ',') then return false end
  return (priority == '' and '0' or priority) == level
end

-- Run order among jobs that fall due (or are handed back) together: the earlier run-at first
-- (`runAt`, id -> ms, when they come from a schedule), then created first, then by id for jobs
-- created by one call, whose ids Node draws in ascending order (ids.ts). A ZSET breaks ties
-- between equal scores by member, which for random ids is no order at all. Created times are
-- base-36 digit strings (lower case, so ordered as text within a length); the longer one is the later.
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

-- Files pending jobs in their ready lists (priorities[i] is the level of ids[i], groups[i] its
-- group; no `groups`: none has one): one push per level of each lane, the turns, the listing of
-- grouped jobs and the count once for the call, so that a batch of many groups stays cheap.
local function fileReady(prioritiesKey, ids, priorities, atHead, groups)
  if #ids == 0 then return end
  local level, group, mixed = priorities[1], groups and groups[1] or '', false
  for i = 2, #priorities do
    if priorities[i] ~= level or (groups and groups[i] ~= group) then
      mixed = true
      break
    end
  end
  -- A batch of one level and lane, the common case, goes to its list as it is.
  if not mixed then return pushReady(prioritiesKey, ids, level, atHead, group) end
  local buckets, order, lanes, grouped = {}, {}, {}, {}
  for i, id in ipairs(ids) do
    local lane = groups and groups[i] or ''
    local name = lane .. '|' .. priorities[i]
    local bucket = buckets[name]
    if not bucket then
      bucket = {group = lane, level = priorities[i], ids = {}}
      buckets[name], order[#order + 1] = bucket, bucket
      if lane ~= '' and not lanes[lane] then
        lanes[lane] = true
        lanes[#lanes + 1] = lane
      end
    end
    bucket.ids[#bucket.ids + 1] = id
    if lane ~= '' then grouped[#grouped + 1] = id end
  end
  for _, bucket in ipairs(order) do pushLane(prioritiesKey, bucket.ids, bucket.level, atHead, bucket.group) end
  if #lanes > 0 then
    enterTurns(lanes)
    listGroupedPending(grouped, atHead)
  end
  countReady(#ids)
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
  local ids, priorities, groups, batch = {}, {}, {}, {}
  for i, job in ipairs(sortedJobs) do
    local id = sortedIds[i]
    makePending(job)
    stage(batch, id, job)
    ids[#ids + 1], priorities[#priorities + 1], groups[#groups + 1] = id, count(job.p), groupOf(job)
    promoted[#promoted + 1] = id
  end
  saveJobs(batch)
  fileReady(prioritiesKey, ids, priorities, false, groups)
end
