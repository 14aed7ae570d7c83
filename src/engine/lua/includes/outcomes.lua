-- Recording outcomes, shared by finishJobs and finishAndClaimJobs (needs lib).
-- `k` names the keys: active, retrying, completed, failed, wake, events.
-- An outcome counts only while the job is still processing under the same lease token (its claim
-- count), so a stale worker (its job recovered, cancelled or retried meanwhile) cannot overwrite
-- a newer state.

-- Reads n outcomes of 5 values each (id, lease token, 'completed' | 'retrying' | 'failed',
-- result JSON or error, retry delay ms) from ARGV[first…]; returns one flag each: 1 recorded, 0 stale.
-- `keep` holds the retention: completedAge, completedCount, failedAge, failedCount, removals.
local function recordOutcomes(k, maxLen, keep, first, n, now)
  local ids = {}
  for i = 0, n - 1 do ids[i + 1] = ARGV[first + i * 5] end
  local records = variadic('HMGET', JOBS, ids, 1000)
  local recorded, finished, batch, details = {}, {}, {}, {}
  local byOutcome = {completed = {}, retrying = {}, failed = {}}
  local scored = {completed = {}, failed = {}}
  local retryAt = {}
  for i, id in ipairs(ids) do
    local at = first + (i - 1) * 5
    local token, outcome, value = ARGV[at + 1], ARGV[at + 2], ARGV[at + 3]
    local updated
    if outcome == 'completed' then
      updated = records[i] and completeRecord(records[i], token, now)
      if updated and value ~= '' then
        details[#details + 1] = id .. ',res'
        details[#details + 1] = value
      end
    else
      local job = records[i] and decodeJob(records[i])
      if job and job.s == PROCESSING and job.q == token then
        if outcome == 'retrying' then
          local runAt = now + tonumber(ARGV[at + 4])
          job.s, job.e, job.r = RETRYING, nowUsText, whole(runAt)
          retryAt[#retryAt + 1] = runAt
          retryAt[#retryAt + 1] = id
        else
          finishJob(job, FAILED)
          job.fa = whole(now)
        end
        recordFailedAttempt(id, job, outcome, value, now)
        updated = encodeJob(job)
      end
    end
    if updated then
      batch[#batch + 1] = id
      batch[#batch + 1] = updated
      finished[#finished + 1] = id
      local group = byOutcome[outcome]
      group[#group + 1] = id
      local finishedScores = scored[outcome]
      if finishedScores then
        finishedScores[#finishedScores + 1] = nowUs
        finishedScores[#finishedScores + 1] = id
      end
      recorded[i] = 1
    else
      recorded[i] = 0
    end
  end
  saveJobs(batch)
  if #details > 0 then variadic('HSET', DETAILS, details, 1000) end
  if #finished > 0 then variadic('ZREM', k.active, finished, 1000) end
  schedule(k.retrying, k.wake, retryAt)
  if #scored.completed > 0 then variadic('ZADD', k.completed, scored.completed, 1000) end
  if #scored.failed > 0 then variadic('ZADD', k.failed, scored.failed, 1000) end
  emit(k.events, maxLen, 'completed', byOutcome.completed)
  emit(k.events, maxLen, 'retrying', byOutcome.retrying)
  emit(k.events, maxLen, 'failed', byOutcome.failed)
  if #byOutcome.completed > 0 then trimFinished(k.completed, keep.completedAge, keep.completedCount, keep.removals) end
  if #byOutcome.failed > 0 then trimFinished(k.failed, keep.failedAge, keep.failedCount, keep.removals) end
  return recorded
end
