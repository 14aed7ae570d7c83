-- Recording outcomes, shared by finishJobs and finishAndClaimJobs (needs lib).
-- `k` names the keys: active, retrying, completed, failed, wake, events.
-- An outcome counts only while the job is still processing under the same lease token (its claim
-- count), so a stale worker (its job recovered, cancelled or retried meanwhile) cannot overwrite
-- a newer state.

-- Reads the outcomes from ARGV[first…]: first the completions without a result, packed into one
-- string `id,token,id,token…` (ids hold no commas; one argument instead of five per job is much
-- cheaper to send and to parse), then the number n of other outcomes and 5 values for each (id,
-- lease token, 'completed' | 'retrying' | 'failed', result JSON or error, retry delay ms).
-- Returns one flag per outcome in that order: 1 recorded (now, or by the same call sent before),
-- 0 stale or malformed (nothing is written for it; its lease runs out and recovery takes over).
-- `keep` holds the retention: completedAge, completedCount, failedAge, failedCount, removals (a
-- catch-up allowance on top of what the call adds).

-- The retention arguments from ARGV[first…], checked before the call writes anything.
local function retentionArgs(first)
  return {
    completedAge = numberArg(first, 'completed max age', 0, 1e15),
    completedCount = numberArg(first + 1, 'completed max count', 0, 1e12),
    failedAge = numberArg(first + 2, 'failed max age', 0, 1e15),
    failedCount = numberArg(first + 3, 'failed max count', 0, 1e12),
    removals = numberArg(first + 4, 'removals', 0, 1e6),
  }
end
local RECORDED_AS = {completed = COMPLETED, retrying = RETRYING, failed = FAILED}

-- 1 when `record` shows the outcome already recorded under lease `token` (the same call sent
-- again after a lost reply), else 0.
local function alreadyRecorded(record, outcome, token)
  local job = outcome and record and decodeJob(record)
  return (job and job.s == RECORDED_AS[outcome] and job.q == token) and 1 or 0
end

local function recordOutcomes(k, maxLen, keep, first, now)
  -- Counters rather than #t: these loops run once per job, and table length is a search in Lua.
  local ids, tokens, n = {}, {}, 0
  for id, token in string.gmatch(ARGV[first], '([^,]+),([^,]+)') do
    n = n + 1
    ids[n], tokens[n] = id, token
  end
  local packed = n
  -- No more than the arguments hold: a larger count would loop over missing ones.
  local others = numberArg(first + 1, 'outcome count', 0, math.floor((#ARGV - first - 1) / 5))
  for at = first + 2, first + 1 + others * 5, 5 do
    n = n + 1
    ids[n], tokens[n] = ARGV[at], ARGV[at + 1]
  end
  local records = variadic('HMGET', JOBS, ids, 1000)
  local recorded, batch, finished, results, leaving = {}, {}, {}, {}, {}
  local byOutcome = {completed = {}, retrying = {}, failed = {}}
  local retryAt = {}
  local nb, nf = 0, 0
  -- A job recorded once per call: a second outcome for it (a caller's mistake) reads the record as
  -- it was before the first and would file the job twice (finished.lua counts on one entry each).
  local seen = {}
  -- The packed completions, the hot path: no result, nothing to check but the lease.
  local completed = byOutcome.completed
  for i = 1, packed do
    local id, record = ids[i], records[i]
    local updated = not seen[id] and record and completeRecord(record, tokens[i])
    if updated then
      seen[id] = true
      nb = nb + 2
      batch[nb - 1], batch[nb] = id, updated
      nf = nf + 1
      finished[nf], completed[nf], leaving[nf] = id, id, updated
      recorded[i] = 1
    else
      recorded[i] = alreadyRecorded(record, 'completed', tokens[i])
    end
  end
  for i = packed + 1, n do
    local id, record, updated = ids[i], records[i], nil
    local at = first + 2 + (i - packed - 1) * 5
    local outcome, value = ARGV[at + 2], ARGV[at + 3]
    local delay = tonumber(ARGV[at + 4])
    if not RECORDED_AS[outcome] or not delay or delay ~= delay or delay < 0 or delay > 1e13 or seen[id] then
      -- Malformed (Node checks first) or repeated: skipped whole, so it cannot take the rest of the batch down.
      outcome = nil
    elseif outcome == 'completed' then
      updated = record and completeRecord(record, tokens[i])
      if updated and value ~= '' then
        results[#results + 1] = id
        results[id] = value
      end
    else
      local job = record and decodeJob(record)
      if leaseHeld(job, tokens[i]) then
        if outcome == 'retrying' then
          local runAt = now + delay
          job.s, job.e, job.r = RETRYING, nowUsText, whole(runAt)
          retryAt[#retryAt + 1] = runAt
          retryAt[#retryAt + 1] = id
        else
          finishJob(job, FAILED)
        end
        recordFailedAttempt(id, job, outcome, value, now)
        updated = encodeJob(job)
      end
    end
    if updated then
      seen[id] = true
      nb = nb + 2
      batch[nb - 1], batch[nb] = id, updated
      nf = nf + 1
      finished[nf], leaving[nf] = id, updated
      local group = byOutcome[outcome]
      group[#group + 1] = id
      recorded[i] = 1
    else
      recorded[i] = alreadyRecorded(record, outcome, tokens[i])
    end
  end
  saveJobs(batch)
  -- Groups and unique keys: most queues use neither, and one EXISTS of both tells so.
  local bookkept = redis.call('EXISTS', BASE .. GROUP_RUNNING, BASE .. UNIQUE_HELD) > 0
  -- Only jobs counted running in their groups (turns.lua) leave one. With none counted, as in a
  -- queue without groups, no record's group is read: that match per job cost more than the rest
  -- of recording a completion.
  if bookkept and redis.call('EXISTS', BASE .. GROUP_RUNNING) == 1 then leaveGroups(groupsOfRecords(leaving)) end
  if #results > 0 then
    -- A result joins whatever the job's earlier failed attempts left.
    local stored, merged = variadic('HMGET', DETAILS, results, 1000), {}
    for i, id in ipairs(results) do
      local details = stored[i] and cjson.decode(stored[i]) or {}
      details.res = results[id]
      merged[#merged + 1] = id
      merged[#merged + 1] = cjson.encode(details)
    end
    variadic('HSET', DETAILS, merged, 1000)
  end
  if #finished > 0 then variadic('ZREM', k.active, finished, 1000) end
  schedule(k.retrying, k.wake, retryAt)
  emit(k.events, maxLen, 'completed', byOutcome.completed)
  emit(k.events, maxLen, 'retrying', byOutcome.retrying)
  emit(k.events, maxLen, 'failed', byOutcome.failed)
  if bookkept then releaseUniqueKeys(byOutcome.completed, byOutcome.failed) end
  fileFinished(k.completed, 'completed', byOutcome.completed, keep.completedAge, keep.completedCount, keep.removals)
  fileFinished(k.failed, 'failed', byOutcome.failed, keep.failedAge, keep.failedCount, keep.removals)
  return recorded
end
