-- cleanJobs: one chunk of a clean-up. Deletes the jobs of up to `chunk` entries at the head of a
-- finished status's list, the oldest, that finished at or before a cutoff, with their records and
-- details; stale entries (see includes/finished.lua) are popped with them. O(log n + chunk).
-- KEYS[1] base        `<prefix>:{<queue>}:` (`op:<request id>` replies built from it)
-- KEYS[2] completed   LIST `<base>completed`
-- KEYS[3] failed      LIST `<base>failed`
-- KEYS[4] cancelled   LIST `<base>cancelled`
-- KEYS[5] events      STREAM `<base>events`
-- ARGV[1] events max length
-- ARGV[2] status: 'completed' | 'failed' | 'cancelled'
-- ARGV[3] older than ms: only jobs finished at least this long ago (0: every one)
-- ARGV[4] chunk: entries taken at most, 1 to 10000
-- ARGV[5] cutoff: finished-at µs of the newest job to remove ('' on the first chunk: now minus ARGV[3])
-- ARGV[6] request id (the same chunk sent again gets the first reply and changes nothing)
-- Returns {removed, cutoff, done 1|0, entries up to the cutoff when it was set} as strings.
-- Errors (before any write) on a bad status, age, chunk or cutoff.

local maxLen, status, requestId = ARGV[1], ARGV[2], ARGV[6]
local replay = opReplay(requestId)
if replay then return replay end
local statusKey = ({completed = KEYS[2], failed = KEYS[3], cancelled = KEYS[4]})[status]
if not statusKey then error('flexq: ARGV[2] status must be completed, failed or cancelled, got ' .. tostring(status)) end
local olderThan = numberArg(3, 'older than ms', 0, 1e15)
local chunk = numberArg(4, 'chunk', 1, 10000)
local cutoff, total = ARGV[5], ''
if cutoff == '' then
  nowMs()
  cutoff = whole(nowUs - olderThan * 1000)
  total = tostring(entriesBefore(statusKey, tonumber(cutoff), true))
else
  numberArg(5, 'cutoff', -1e17, 1e17)
end

local ids, times = entriesUpTo(statusKey, 0, chunk, tonumber(cutoff))
local removed = {}
if #ids > 0 then
  for i, record in ipairs(liveRecords(ids, times, FINISHED_CODES[status])) do
    if record then removed[#removed + 1] = ids[i] end
  end
  -- The count first: a write refused (an ACL without HINCRBY) must leave the jobs as they were.
  unfileFinished(status, #removed)
  redis.call('LPOP', statusKey, #ids)
  deleteJobs(removed)
  emit(KEYS[5], maxLen, 'removed', removed, status)
  flushEvents()
end
return opRemember(requestId, {tostring(#removed), cutoff, #ids < chunk and '1' or '0', total})
