-- Recording outcomes, shared by finishJobs and finishAndClaimJobs (needs lib).
-- `k` names the keys: base, active, retrying, completed, failed, wake, events.
-- An outcome counts only while the job is still `processing` under the same lease token, so a
-- stale worker (its job recovered, cancelled or retried meanwhile) cannot overwrite a newer state.

-- Reads n outcomes of 5 values each (id, lease token, 'completed' | 'retrying' | 'failed',
-- result JSON or error, retry delay ms) from ARGV[first…]; returns one flag each: 1 recorded, 0 stale.
-- `keep` holds the retention: completedAge, completedCount, failedAge, failedCount, removals.
local function recordOutcomes(k, maxLen, keep, first, n, now)
  local recorded, byOutcome = {}, {completed = {}, retrying = {}, failed = {}}
  local finished = {}
  for i = 0, n - 1 do
    local at = first + i * 5
    local id, token, outcome, value = ARGV[at], ARGV[at + 1], ARGV[at + 2], ARGV[at + 3]
    local jk = jobKey(k.base, id)
    local current = redis.call('HMGET', jk, 's', 'l')
    if current[1] == 'processing' and current[2] == token then
      finished[#finished + 1] = id
      if outcome == 'completed' then
        -- The stale lease token stays: nothing reads it once the job is not processing.
        if value ~= '' then
          redis.call('HSET', jk, 's', 'completed', 'e', nowUs, 'pa', now, 'res', value)
        else
          redis.call('HSET', jk, 's', 'completed', 'e', nowUs, 'pa', now)
        end
      elseif outcome == 'retrying' then
        local runAt = now + tonumber(ARGV[at + 4])
        redis.call('HSET', jk, 's', 'retrying', 'e', nowUs, 'r', runAt, 'x', value)
        recordFailedAttempt(jk, redis.call('HGET', jk, 'a'), 'retrying', value, now)
        schedule(k.retrying, k.wake, id, runAt)
      else
        redis.call('HSET', jk, 's', 'failed', 'e', nowUs, 'fa', now, 'x', value)
        recordFailedAttempt(jk, redis.call('HGET', jk, 'a'), 'failed', value, now)
      end
      local group = byOutcome[outcome]
      group[#group + 1] = id
      recorded[i + 1] = 1
    else
      recorded[i + 1] = 0
    end
  end
  if #finished > 0 then redis.call('ZREM', k.active, unpack(finished)) end

  -- Finished sets are scored in µs so that jobs finished in the same millisecond list in order.
  for outcome, key in pairs({completed = k.completed, failed = k.failed}) do
    local ids = byOutcome[outcome]
    if #ids > 0 then
      local scored = {}
      for _, id in ipairs(ids) do
        scored[#scored + 1] = nowUs
        scored[#scored + 1] = id
      end
      redis.call('ZADD', key, unpack(scored))
    end
  end
  emit(k.events, maxLen, 'completed', byOutcome.completed)
  emit(k.events, maxLen, 'retrying', byOutcome.retrying)
  emit(k.events, maxLen, 'failed', byOutcome.failed)
  if #byOutcome.completed > 0 then trimFinished(k.base, k.completed, keep.completedAge, keep.completedCount, keep.removals) end
  if #byOutcome.failed > 0 then trimFinished(k.base, k.failed, keep.failedAge, keep.failedCount, keep.removals) end
  return recorded
end
