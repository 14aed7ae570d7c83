-- cancelJobs: one chunk of a bulk cancel. Waiting jobs of one status become `cancelled`, as
-- cancelJob does for one, at most `chunk` entries looked at per call:
-- - pending: each level's ready list is walked from its head, oldest first, and the entries looked
--   at are popped (tombstones and stale entries with them), so the next chunk starts at the head
--   again without a cursor: O(chunk + levels). A job that became ready after the cancel began
--   (`until`) ends its list's walk and is left alone, with every entry behind it. Grouped jobs are
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
-- Returns {cancelled, until, done 1|0, jobs of the status when until was set ('' after)} as
-- strings. Errors (before any write) on a bad status, chunk, until or retention.

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

local cancelled, batch, looked = {}, {}, 0

local function cancel(id, job)
  finishJob(job, CANCELLED)
  stage(batch, id, job)
  cancelled[#cancelled + 1] = id
end

-- Walks one ready list from its head within the chunk; returns true once it is done with it (it
-- ran empty or reached a job ready after `until`).
local function walkReady(key, level)
  while looked < chunk do
    local entries = redis.call('LRANGE', key, 0, math.min(chunk - looked, 100) - 1)
    if #entries == 0 then return true end
    local records = variadic('HMGET', JOBS, entries, 1000)
    local taken, reached = 0, false
    for i, entry in ipairs(entries) do
      local record = not isTombstone(entry) and records[i]
      if record and readyEntryValid(record, level) then
        local job = decodeJob(record)
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

-- Pops the dead entries (tombstones, jobs no longer ready at that level) at a lane list's head.
local function popDeadHead(key, level)
  for _ = 1, 10 do
    local entries = redis.call('LRANGE', key, 0, 99)
    local records = variadic('HMGET', JOBS, entries, 1000)
    local dead = 0
    while dead < #entries do
      local entry, record = entries[dead + 1], records[dead + 1]
      if not isTombstone(entry) and record and readyEntryValid(record, level) then break end
      dead = dead + 1
    end
    if dead > 0 then redis.call('LPOP', key, dead) end
    if dead < 100 then return end
  end
end

local done = true
if scheduleKey then
  local ids = redis.call('ZRANGE', scheduleKey, 0, chunk - 1)
  local code = status == 'delayed' and PENDING or RETRYING
  for i, job in ipairs(loadJobs(ids)) do
    if job and job.s == code then cancel(ids[i], job) end
  end
  variadic('ZREM', scheduleKey, ids, 1000)
  looked = #ids
  done = #ids < chunk
else
  -- Jobs without a group: each level, highest first.
  local from = 0
  repeat
    local tops = redis.call('ZREVRANGE', prioritiesKey, from, from + 3)
    for _, level in ipairs(tops) do
      if not walkReady(readyKey(level, ''), level) then
        done = false
        break
      end
    end
    from = from + 4
  until not done or #tops < 4
  -- Grouped jobs, oldest first across their lanes.
  if done then
    local wanted = chunk - looked
    local ids = wanted > 0 and redis.call('ZRANGEBYSCORE', BASE .. GROUPED_PENDING, '-inf', untilText, 'LIMIT', 0, wanted) or {}
    local lanes = {}
    for i, record in ipairs(variadic('HMGET', JOBS, ids, 1000)) do
      local job = record and decodeJob(record)
      local level = job and levelOf(job)
      if job and readyEntryValid(record, level) then
        cancel(ids[i], job)
        lanes[readyKey(level, groupOf(job))] = level
      end
    end
    variadic('ZREM', BASE .. GROUPED_PENDING, ids, 1000)
    for key, level in pairs(lanes) do popDeadHead(key, level) end
    done = wanted > 0 and #ids < wanted
  end
end

if #cancelled > 0 then
  saveJobs(batch)
  if not scheduleKey then countReady(-#cancelled) end
  fileFinished(cancelledKey, 'cancelled', cancelled, maxAge, maxCount, removals)
  releaseUniqueKeys(cancelled)
  emit(eventsKey, maxLen, 'cancelled', cancelled, status)
  flushEvents()
end
return opRemember(requestId, {tostring(#cancelled), untilText, done and '1' or '0', total})
