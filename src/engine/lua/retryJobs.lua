-- retryJobs: one chunk of a bulk retry. The failed (or cancelled) jobs among the next `chunk`
-- members of that ZSET, oldest first, that match the type filter go back to `pending` with their
-- attempts reset, as retryJob does for one. O(log n + chunk): the walk resumes after a cursor
-- member (see rankAfter in includes/operations.lua). Jobs that finished after the bulk retry began
-- (`until`) are left alone, so jobs that fail again while it runs are not retried twice.
-- KEYS[1] base        `<prefix>:{<queue>}:` (`op:<request id>` replies built from it)
-- KEYS[2] priorities  ZSET `<base>priorities`
-- KEYS[3] failed      ZSET `<base>failed`
-- KEYS[4] cancelled   ZSET `<base>cancelled`
-- KEYS[5] wake        LIST `<base>wake`
-- KEYS[6] events      STREAM `<base>events`
-- ARGV[1] events max length
-- ARGV[2] status: 'failed' | 'cancelled'
-- ARGV[3] job type to retry ('' for every type)
-- ARGV[4] chunk: members looked at, 1 to 10000
-- ARGV[5] until: finished-at µs of the newest job to retry ('' on the first chunk: now)
-- ARGV[6] cursor score ('' on the first chunk), ARGV[7] cursor id ('' on the first chunk)
-- ARGV[8] request id (the same chunk sent again gets the first reply and changes nothing)
-- Returns {retried, until, cursor score, cursor id, done 1|0, jobs to look at when until was set}
-- as strings. Errors (before any write) on a bad status, chunk or until.

local prioritiesKey, wakeKey, eventsKey = KEYS[2], KEYS[5], KEYS[6]
local maxLen, status, wantedType, requestId = ARGV[1], ARGV[2], ARGV[3], ARGV[8]
local replay = opReplay(requestId)
if replay then return replay end
local statusKey = ({failed = KEYS[3], cancelled = KEYS[4]})[status]
if not statusKey then error('flexq: ARGV[2] status must be failed or cancelled, got ' .. tostring(status)) end
local chunk = numberArg(4, 'chunk', 1, 10000)
local cursorScore, cursorId = ARGV[6], ARGV[7]
if cursorId ~= '' then numberArg(6, 'cursor score', 0, 1e17) end
nowMs()
local untilUs = ARGV[5]
local total = ''
if untilUs == '' then
  untilUs = nowUsText
  total = tostring(redis.call('ZCOUNT', statusKey, '-inf', untilUs))
else
  numberArg(5, 'until', 0, 1e17)
end

local start = rankAfter(statusKey, cursorScore, cursorId)
local scored = redis.call('ZRANGE', statusKey, start, start + chunk - 1, 'WITHSCORES')
local done = #scored < 2 * chunk
local ids = {}
for i = 1, #scored, 2 do
  if tonumber(scored[i + 1]) > tonumber(untilUs) then
    done = true
    break
  end
  ids[#ids + 1] = scored[i]
end

local STATUS_CODE = {failed = FAILED, cancelled = CANCELLED}
local retried, levelById, groupById, batch = {}, {}, {}, {}
for i, job in ipairs(loadJobs(ids)) do
  if job and job.s == STATUS_CODE[status] and (wantedType == '' or typeOf(job) == wantedType) then
    requeueFinished(job)
    stage(batch, ids[i], job)
    retried[#retried + 1], levelById[ids[i]], groupById[ids[i]] = ids[i], count(job.p), groupOf(job)
  else
    -- Left in place: the next chunk starts after the last of these.
    cursorScore, cursorId = scored[2 * i], ids[i]
  end
end
if #retried > 0 then
  saveJobs(batch)
  variadic('ZREM', statusKey, retried, 1000)
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
return opRemember(requestId, {tostring(#retried), untilUs, cursorScore, cursorId, done and '1' or '0', total})
