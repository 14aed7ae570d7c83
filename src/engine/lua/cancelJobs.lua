-- cancelJobs: one chunk of a bulk cancel. Waiting jobs of one status become `cancelled`, as
-- cancelJob does for one, at most `chunk` entries looked at per call:
-- - pending: each level's ready list is walked from its head, oldest first, and the entries looked
--   at are popped (tombstones and stale entries with them), so the next chunk starts at the head
--   again, below the last level done with (levels go highest first). A job that became ready
--   after the cancel began (`until`) ends its list's walk and is left alone, with every entry
--   behind it. Every list read counts toward the chunk: O(chunk) per call. Grouped jobs are
--   taken oldest first from `<base>groupedPending`, and the dead entries they leave at the head of
--   their lanes' lists are popped after them.
-- - delayed, retrying: the jobs due soonest, from the head of their ZSET: O(chunk log n). The
--   caller stops at the number the status held when it began.
-- KEYS[1] base        `<prefix>:{<queue>}:` (ready lists, readyCount, groupedPending and
--                     `op:<request id>` replies built from it)
-- KEYS[2] priorities  ZSET `<base>priorities`
-- KEYS[3] delayed     ZSET `<base>delayed`
-- KEYS[4] retrying    ZSET `<base>retrying`
-- KEYS[5] cancelled   LIST `<base>cancelled` (see includes/finished.lua)
-- KEYS[6] events      STREAM `<base>events`
-- ARGV[1] events max length
-- ARGV[2] status: 'pending' | 'delayed' | 'retrying'
-- ARGV[3] chunk: entries looked at, 1 to 10000
-- ARGV[4] until: µs by which a pending job must have become ready ('' on the first chunk: now)
-- ARGV[5..7] retention of cancelled jobs: max age ms, max count, removals per call
-- ARGV[8] request id (the same chunk sent again gets the first reply and changes nothing)
-- ARGV[9] pending: the last level a chunk before was done with ('' on the first chunk)
-- Returns {cancelled, until, done 1|0, jobs of the status when until was set ('' after), the last
-- level done with ('' for none)} as strings. Errors (before any write) on a bad status, chunk,
-- until, level or retention.

local prioritiesKey, cancelledKey, eventsKey = KEYS[2], KEYS[5], KEYS[6]
local maxLen, status, requestId = ARGV[1], ARGV[2], ARGV[8]
local replay = opReplay(requestId)
if replay then return replay end
local scheduleKey = ({delayed = KEYS[3], retrying = KEYS[4]})[status]
if status ~= 'pending' and not scheduleKey then
  error('flexq: ARGV[2] status must be pending, delayed or retrying, got ' .. tostring(status))
end
local chunk = numberArg(3, 'chunk', 1, 10000)
local maxAge, maxCount = numberArg(5, 'max age', 0, 1e15), numberArg(6, 'max count', 0, 1e12)
local removals = numberArg(7, 'removals', 0, 1e6)
nowMs()
local untilText, total = ARGV[4], ''
if untilText == '' then
  untilText = nowUsText
  if scheduleKey then
    total = tostring(redis.call('ZCARD', scheduleKey))
  else
    total = tostring(math.max(0, tonumber(redis.call('GET', BASE .. 'readyCount')) or 0))
  end
else
  numberArg(4, 'until', 0, 1e17)
end
local untilUs = tonumber(untilText)
if ARGV[9] ~= '' then numberArg(9, 'level', -1e7, 1e7) end

local cancelled, batch, looked, seen = {}, {}, 0, {}

local function cancel(id, job)
  finishJob(job, CANCELLED)
  stage(batch, id, job)
  cancelled[#cancelled + 1] = id
  seen[id] = true
end

-- Whether `entry` of a list of `level` is a job to cancel: a ready job there, not taken by this
-- call already (a job with two valid entries, cancelled and retried before its old one was
-- reached, is cancelled once).
local function liveEntry(entry, record, level)
  return not isTombstone(entry) and record and not seen[entry] and readyEntryValid(record, level)
end

-- Walks one ready list from its head within the chunk; returns true once it is done with it (it
-- ran empty or reached a job ready after `until`). Every entry read counts toward the chunk.
local function walkReady(key, level)
  while looked < chunk do
    local entries = redis.call('LRANGE', key, 0, math.min(chunk - looked, 100) - 1)
    looked = looked + 1
    if #entries == 0 then return true end
    local records = variadic('HMGET', JOBS, entries, 1000)
    local taken, reached = 0, false
    for i, entry in ipairs(entries) do
      if liveEntry(entry, records[i], level) then
        local job = decodeJob(records[i])
        if readySince(job) > untilUs then
          reached = true
          break
        end
        cancel(entry, job)
      end
      taken = i
    end
    if taken > 0 then redis.call('LPOP', key, taken) end
    looked = looked + taken
    if reached then return true end
  end
  return false
end

local done, levelsFrom = true, ARGV[9]
if scheduleKey then
  local ids = redis.call('ZRANGE', scheduleKey, 0, chunk - 1)
  local code = status == 'delayed' and PENDING or RETRYING
  for i, job in ipairs(loadJobs(ids)) do
    if job and job.s == code then cancel(ids[i], job) end
  end
  variadic('ZREM', scheduleKey, ids, 1000)
  done = #ids < chunk
else
  -- Jobs without a group: each level, highest first, from below the last one a chunk before was
  -- done with (`levelsFrom`), so a queue of many levels is walked once, not once per chunk.
  repeat
    local upper = levelsFrom == '' and '+inf' or '(' .. levelsFrom
    local tops = redis.call('ZREVRANGEBYSCORE', prioritiesKey, upper, '-inf', 'LIMIT', 0, 4)
    for _, level in ipairs(tops) do
      if not walkReady(readyKey(level, ''), level) then
        done = false
        break
      end
      levelsFrom = level
    end
  until not done or #tops < 4 or looked >= chunk
  if done and looked >= chunk then done = false end
  -- Grouped jobs, oldest first across their lanes.
  local lanes = {}
  if done then
    -- Each grouped job may touch a lane of its own (a list read and pop below): half as many.
    local wanted = math.max(1, math.floor((chunk - looked) / 2))
    local ids = redis.call('ZRANGEBYSCORE', BASE .. GROUPED_PENDING, '-inf', untilText, 'LIMIT', 0, wanted)
    for i, record in ipairs(variadic('HMGET', JOBS, ids, 1000)) do
      local job = record and decodeJob(record)
      local level = job and levelOf(job)
      if job and not seen[ids[i]] and readyEntryValid(record, level) then
        cancel(ids[i], job)
        local key = readyKey(level, groupOf(job))
        lanes[key] = (lanes[key] or 0) + 1
      end
    end
    variadic('ZREM', BASE .. GROUPED_PENDING, ids, 1000)
    done = #ids < wanted
  end
  -- The grouped jobs just cancelled are the oldest of their lanes, so their entries lead their
  -- lists: pop them there, with the tombstones among them, reading a few more than were cancelled.
  for key, n in pairs(lanes) do
    local entries = redis.call('LRANGE', key, 0, n + 7)
    local dead = 0
    while dead < #entries and (seen[entries[dead + 1]] or isTombstone(entries[dead + 1])) do dead = dead + 1 end
    if dead > 0 then redis.call('LPOP', key, dead) end
  end
end

if #cancelled > 0 then
  saveJobs(batch)
  if not scheduleKey then countReady(-#cancelled) end
  fileFinished(cancelledKey, 'cancelled', cancelled, maxAge, maxCount, removals)
  releaseUniqueKeys({}, cancelled)
  emit(eventsKey, maxLen, 'cancelled', cancelled, status)
  flushEvents()
end
return opRemember(requestId, {tostring(#cancelled), untilText, done and '1' or '0', total, levelsFrom})
