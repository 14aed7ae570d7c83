-- finishJobs: records the outcomes of finished attempts. An outcome counts only while the job is
-- still `processing` under the same lease token, so a stale worker (its job recovered, cancelled
-- or retried meanwhile) cannot overwrite a newer state.
-- KEYS[1] base        `<prefix>:{<queue>}:`
-- KEYS[2] active      ZSET `<base>active`
-- KEYS[3] retrying    ZSET `<base>retrying`
-- KEYS[4] completed   ZSET `<base>completed`
-- KEYS[5] failed      ZSET `<base>failed`
-- KEYS[6] wake        LIST `<base>wake`
-- KEYS[7] events      STREAM `<base>events`
-- ARGV[1] events max length
-- ARGV[2..6] retention: completed max age ms, completed max count, failed max age ms,
--            failed max count, removals per call
-- ARGV[7] number of outcomes n; then 5 values per outcome:
--         id, lease token, 'completed' | 'retrying' | 'failed', result JSON or error, retry delay ms
-- Returns one flag per outcome: 1 recorded, 0 stale (ignored).
-- @include lib

local base, activeKey, retryingKey, completedKey, failedKey, wakeKey, eventsKey =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7]
local maxLen = ARGV[1]
local completedAge, completedCount = tonumber(ARGV[2]), tonumber(ARGV[3])
local failedAge, failedCount, removals = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local n = tonumber(ARGV[7])
local FIELDS = 5
local now = nowMs()

local recorded, byOutcome = {}, {completed = {}, retrying = {}, failed = {}}
for i = 0, n - 1 do
  local at = 8 + i * FIELDS
  local id, token, outcome, value = ARGV[at], ARGV[at + 1], ARGV[at + 2], ARGV[at + 3]
  local jk = jobKey(base, id)
  local current = redis.call('HMGET', jk, 's', 'l')
  if current[1] == 'processing' and current[2] == token then
    redis.call('ZREM', activeKey, id)
    if outcome == 'completed' then
      finish(base, completedKey, id, 'completed')
      redis.call('HSET', jk, 'pa', now)
      if value ~= '' then redis.call('HSET', jk, 'res', value) end
    elseif outcome == 'retrying' then
      local runAt = now + tonumber(ARGV[at + 4])
      redis.call('HSET', jk, 's', 'retrying', 'e', nowUs, 'r', runAt, 'x', value)
      redis.call('HDEL', jk, 'l')
      schedule(retryingKey, wakeKey, id, runAt)
    else
      finish(base, failedKey, id, 'failed')
      redis.call('HSET', jk, 'fa', now, 'x', value)
    end
    local group = byOutcome[outcome]
    group[#group + 1] = id
    recorded[i + 1] = 1
  else
    recorded[i + 1] = 0
  end
end

emit(eventsKey, maxLen, 'completed', byOutcome.completed)
emit(eventsKey, maxLen, 'retrying', byOutcome.retrying)
emit(eventsKey, maxLen, 'failed', byOutcome.failed)
if #byOutcome.completed > 0 then trimFinished(base, completedKey, completedAge, completedCount, removals) end
if #byOutcome.failed > 0 then trimFinished(base, failedKey, failedAge, failedCount, removals) end
return recorded
