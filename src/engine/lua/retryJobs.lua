-- retryJobs: one chunk of a bulk retry. The failed (or cancelled) jobs among the next `chunk`
-- entries of that status's list, oldest first, that match the type filter go back to `pending`
-- with their attempts reset, as retryJob does for one. O(log n + chunk): the walk resumes after a
-- cursor entry (see rankAfter in includes/operations.lua), and stale entries are passed over (see
-- includes/finished.lua). Jobs that finished after the bulk retry began (`until`) are left alone,
-- so jobs that fail again while it runs are not retried twice.
-- KEYS[1] base        `<prefix>:{<queue>}:` (`op:<request id>` replies built from it)
-- KEYS[2] priorities  ZSET `<base>priorities`
-- KEYS[3] failed      LIST `<base>failed`
-- KEYS[4] cancelled   LIST `<base>cancelled`
-- KEYS[5] wake        LIST `<base>wake`
-- KEYS[6] events      STREAM `<base>events`
-- ARGV[1] events max length
-- ARGV[2] status: 'failed' | 'cancelled'
-- ARGV[3] job type to retry ('' for every type)
-- ARGV[4] chunk: entries looked at, 1 to 10000
-- ARGV[5] until: finished-at µs of the newest job to retry ('' on the first chunk: now)
-- ARGV[6] cursor: finished-at µs of the last entry looked at ('' on the first chunk), ARGV[7] its job id
-- ARGV[8] request id (the same chunk sent again gets the first reply and changes nothing)
-- Returns {retried, until, cursor µs, cursor id, done 1|0, jobs of the status when until was set}
-- as strings. Errors (before any write) on a bad status, chunk, until or cursor.

local prioritiesKey, wakeKey, eventsKey = KEYS[2], KEYS[5], KEYS[6]
local maxLen, status, wantedType, requestId = ARGV[1], ARGV[2], ARGV[3], ARGV[8]
local replay = opReplay(requestId)
if replay then return replay end
local statusKey = ({failed = KEYS[3], cancelled = KEYS[4]})[status]
if not statusKey then error('flexq: ARGV[2] status must be failed or cancelled, got ' .. tostring(status)) end
local chunk = numberArg(4, 'chunk', 1, 10000)
local cursorUs, cursorId = ARGV[6], ARGV[7]
if cursorId ~= '' then numberArg(6, 'cursor', 0, 1e17) end
nowMs()
local untilUs = ARGV[5]
local total = ''
if untilUs == '' then
  untilUs = nowUsText
  local _, failed, cancelled = keptCounts()
  total = tostring(status == 'failed' and failed or cancelled)
else
  numberArg(5, 'until', 0, 1e17)
end

local ids, times, past = entriesUpTo(statusKey, rankAfter(statusKey, cursorUs, cursorId), chunk, tonumber(untilUs))
local done = past or #ids < chunk
if #ids > 0 then cursorUs, cursorId = times[#ids], ids[#ids] end

local retried, levelById, groupById, batch = {}, {}, {}, {}
for i, record in ipairs(liveRecords(ids, times, FINISHED_CODES[status])) do
  local job = record and decodeJob(record)
  if job and (wantedType == '' or typeOf(job) == wantedType) then
    local id = ids[i]
    requeueFinished(job)
    stage(batch, id, job)
    retried[#retried + 1], levelById[id], groupById[id] = id, count(job.p), groupOf(job)
  end
end
if #retried > 0 then
  -- The count first: a write refused (an ACL without HINCRBY) must leave the jobs as they were.
  unfileFinished(status, #retried)
  saveJobs(batch)
  -- Jobs that held a unique key until they finished take it back (see retakeUniqueKey).
  local retaken = {}
  for i, stored in ipairs(variadic('HMGET', DETAILS, retried, 1000)) do
    local details = stored and string.find(stored, '"u":', 1, true) and cjson.decode(stored)
    if details then
      retakeUniqueKey(retried[i], details)
      retaken[#retaken + 1], retaken[#retaken + 2] = retried[i], cjson.encode(details)
    end
  end
  if #retaken > 0 then variadic('HSET', DETAILS, retaken, 1000) end
  -- At the tail, all at this call's time as retryJob files one; in ascending ids, as addJobs files
  -- a batch, so a later cancel finds any of them by binary search (includes/ready-order.lua).
  table.sort(retried)
  local levels, groups = {}, {}
  for i, id in ipairs(retried) do levels[i], groups[i] = levelById[id], groupById[id] end
  fileReady(prioritiesKey, retried, levels, false, groups)
  wake(wakeKey)
  emit(eventsKey, maxLen, 'pending', retried, 'retried')
  flushEvents()
end
return opRemember(requestId, {tostring(#retried), untilUs, cursorUs, cursorId, done and '1' or '0', total})
