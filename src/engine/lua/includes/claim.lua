-- Upkeep and claiming, shared by claimJobs and finishAndClaimJobs (needs lib).
-- `k` names the keys: priorities, delayed, retrying, active, failed, wake, events, paused.

-- A lease that ran out means its worker died or stalled: run the job again, unless that was its
-- last attempt. Recovered jobs go to the head of their level, since they were claimed long ago.
local function recoverExpired(k, maxLen, now, limit)
  local expired = redis.call('ZRANGEBYSCORE', k.active, '-inf', now, 'LIMIT', 0, limit)
  if #expired == 0 then return end
  variadic('ZREM', k.active, expired, 1000)
  local recovered, levels, lost, lostScores, batch = {}, {}, {}, {}, {}
  for i, job in ipairs(loadJobs(expired)) do
    local id = expired[i]
    if job then
      local attempts, maxAttempts = count(job.a), count(job.m)
      local message = 'worker lost: lease expired on attempt ' .. attempts .. ' of ' .. maxAttempts
      local final = attempts >= maxAttempts
      recordFailedAttempt(id, job, final and 'failed' or 'lost', message, now)
      if final then
        finishJob(job, FAILED)
        job.fa = nowMsText
        lost[#lost + 1] = id
        lostScores[#lostScores + 1] = nowUsText
        lostScores[#lostScores + 1] = id
      else
        makePending(job)
        recovered[#recovered + 1] = id
        levels[#levels + 1] = count(job.p)
      end
      stage(batch, id, job)
    end
  end
  saveJobs(batch)
  fileReady(k.priorities, recovered, levels, true)
  if #lostScores > 0 then variadic('ZADD', k.failed, lostScores, 1000) end
  emit(k.events, maxLen, 'recovered', recovered)
  emit(k.events, maxLen, 'failed', lost, 'worker lost')
end

-- Takes up to `wanted` ids off the ready lists, highest priority first, oldest first within one.
-- A level whose list runs dry here leaves the priorities set at the next claim that finds it
-- empty, which saves an LLEN on every claim.
local function popReady(k, wanted)
  local ids = {}
  while #ids < wanted do
    local top = redis.call('ZREVRANGE', k.priorities, '0', '0')[1]
    if not top then break end
    local asked = wanted - #ids
    local popped = redis.call('LPOP', readyKey(top), asked) or {}
    for _, id in ipairs(popped) do ids[#ids + 1] = id end
    if #popped < asked then redis.call('ZREM', k.priorities, top) end
  end
  return ids
end

-- Marks jobs processing under a new lease (each job's claim count goes up by one, and is the
-- token). Returns a flat id, record list of the jobs as now stored, and a flat id, details list
-- for those claimed before (a retry sees its earlier errors; a first run has no details to read).
local function lease(k, maxLen, ids, now, leaseMs)
  local claimed, leased, again = {}, {}, {}
  local deadlines = {'+inf', ACTIVE_ANCHOR}
  local deadline = whole(now + leaseMs)
  local records = variadic('HMGET', JOBS, ids, 1000)
  for i, id in ipairs(ids) do
    local record, earlierClaims
    if records[i] then record, earlierClaims = claimRecord(records[i]) end
    if record then
      claimed[#claimed + 1] = id
      claimed[#claimed + 1] = record
      deadlines[#deadlines + 1] = deadline
      deadlines[#deadlines + 1] = id
      leased[#leased + 1] = id
      if earlierClaims ~= '' then again[#again + 1] = id end
    end
  end
  saveJobs(claimed)
  if #leased > 0 then variadic('ZADD', k.active, deadlines, 1000) end
  emit(k.events, maxLen, 'processing', leased)
  local details = {}
  for i, stored in ipairs(variadic('HMGET', DETAILS, again, 1000)) do
    if stored then
      details[#details + 1] = again[i]
      details[#details + 1] = stored
    end
  end
  return claimed, details
end

-- The earliest score of a schedule ZSET; nil when it holds no job (the active set's anchor is none).
local function headOf(key)
  local head = tonumber(redis.call('ZRANGE', key, '0', '0', 'WITHSCORES')[2])
  if head ~= math.huge then return head end
end

-- Promotes or recovers what is due in one schedule ZSET; returns ms until its head is due (-1: none).
local function upkeepOf(key, now, handleDue)
  local head = headOf(key)
  if head and head <= now then
    handleDue()
    head = headOf(key)
  end
  return head and math.max(0, head - now) or -1
end

-- The whole claim: upkeep, then up to `wanted` jobs. Reply: {ms until the next delayed or
-- retrying job is due or a lease runs out (-1: none), {id, record, …}, {id, details JSON, …}}
local function claimJobs(k, maxLen, wanted, leaseMs, upkeep, now)
  local promoted = {}
  local nextDue = -1
  local function sooner(wait)
    if wait >= 0 and (nextDue < 0 or wait < nextDue) then nextDue = wait end
  end
  sooner(upkeepOf(k.delayed, now, function() promoteDue(k.priorities, k.delayed, now, upkeep, promoted) end))
  sooner(upkeepOf(k.retrying, now, function() promoteDue(k.priorities, k.retrying, now, upkeep, promoted) end))
  emit(k.events, maxLen, 'pending', promoted)
  sooner(upkeepOf(k.active, now, function() recoverExpired(k, maxLen, now, upkeep) end))

  local claimed, details = {}, {}
  if wanted > 0 and redis.call('EXISTS', k.paused) == 0 then
    local ids = popReady(k, wanted)
    if #ids > 0 then claimed, details = lease(k, maxLen, ids, now, leaseMs) end
    -- A full claim may have left work behind: pass the wake marker on to another idle worker.
    if #ids == wanted then wake(k.wake) end
  end
  return {nextDue, claimed, details}
end
