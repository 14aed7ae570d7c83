-- cleanJobs: one chunk of a clean-up. Deletes up to `chunk` of the oldest jobs of a finished
-- status that finished at or before a cutoff, with their records and details. O(log n + chunk):
-- they are the lowest-ranked members of their ZSET, removed by rank.
-- KEYS[1] base        `<prefix>:{<queue>}:` (`op:<request id>` replies built from it)
-- KEYS[2] completed   ZSET `<base>completed`
-- KEYS[3] failed      ZSET `<base>failed`
-- KEYS[4] cancelled   ZSET `<base>cancelled`
-- KEYS[5] events      STREAM `<base>events`
-- ARGV[1] events max length
-- ARGV[2] status: 'completed' | 'failed' | 'cancelled'
-- ARGV[3] older than ms: only jobs finished at least this long ago (0: every one)
-- ARGV[4] chunk: jobs removed at most, 1 to 10000
-- ARGV[5] cutoff: finished-at µs of the newest job to remove ('' on the first chunk: now minus ARGV[3])
-- ARGV[6] request id (the same chunk sent again gets the first reply and changes nothing)
-- Returns {removed, cutoff, done 1|0, jobs to remove when the cutoff was set} as strings.
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
  total = tostring(redis.call('ZCOUNT', statusKey, '-inf', cutoff))
else
  numberArg(5, 'cutoff', -1e17, 1e17)
end

local ids = redis.call('ZRANGEBYSCORE', statusKey, '-inf', cutoff, 'LIMIT', 0, chunk)
if #ids > 0 then
  deleteJobs(ids)
  -- The oldest members, so the lowest ranks: removing by rank spares a lookup per member.
  redis.call('ZREMRANGEBYRANK', statusKey, 0, #ids - 1)
  emit(KEYS[5], maxLen, 'removed', ids, status)
  flushEvents()
end
return opRemember(requestId, {tostring(#ids), cutoff, #ids < chunk and '1' or '0', total})
