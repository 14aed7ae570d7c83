-- Upkeep and claiming, shared by claimJobs and finishAndClaimJobs (needs lib).
-- `k` names the keys: priorities, delayed, retrying, active, failed, wake, events, paused.
-- `keep` holds the failed jobs' retention (failedAge, failedCount, removals), for jobs whose
-- last attempt's worker was lost.

-- A lease that ran out means its worker died or stalled: run the job again, unless that was its
-- last attempt. Recovered jobs go to the head of their level, since they were claimed long ago.
local function recoverExpired(k, maxLen, keep, now, limit)
  local expired = redis.call('ZRANGEBYSCORE', k.active, '-inf', now, 'LIMIT', 0, limit)
  if #expired == 0 then return end
  variadic('ZREM', k.active, expired, 1000)
  local found, jobs = {}, {}
  for i, job in ipairs(loadJobs(expired)) do
    if job then found[#found + 1], jobs[#jobs + 1] = expired[i], job end
  end
  -- Back at the head of their level in the order they were created, as they were claimed.
  found, jobs = sortForRun(found, jobs)
  local recovered, levels, groups, lost, batch, heads = {}, {}, {}, {}, {}, {}
  local leaving = {}
  for i, job in ipairs(jobs) do
    local id = found[i]
    leaving[i] = groupOf(job)
    local attempts, maxAttempts = count(job.a), count(job.m)
    local message = 'worker lost: lease expired on attempt ' .. attempts .. ' of ' .. maxAttempts
    local final = attempts >= maxAttempts
    recordFailedAttempt(id, job, final and 'failed' or 'lost', message, now)
    if final then
      finishJob(job, FAILED)
      lost[#lost + 1] = id
    else
      makePendingAtHead(job, heads)
      recovered[#recovered + 1] = id
      levels[#levels + 1], groups[#groups + 1] = count(job.p), groupOf(job)
    end
    stage(batch, id, job)
  end
  saveJobs(batch)
  fileReady(k.priorities, recovered, levels, true, groups)
  leaveGroups(leaving)
  fileFinished(k.failed, 'failed', lost, keep.failedAge, keep.failedCount, keep.removals)
  emit(k.events, maxLen, 'recovered', recovered)
  emit(k.events, maxLen, 'failed', lost, 'worker lost')
  releaseUniqueKeys({}, lost)
end

-- The `id, details JSON` pairs of those of `ids` that have details (a retry sees its earlier errors).
local function detailsOf(ids)
  local details = {}
  for i, stored in ipairs(variadic('HMGET', DETAILS, ids, 1000)) do
    if stored then
      details[#details + 1] = ids[i]
      details[#details + 1] = stored
    end
  end
  return details
end

-- A claim's reply can be lost with its connection, and the client then sends the same call again
-- (ioredis resends what got no answer; a worker sends a failed claim's request id again). What a
-- claim leased is kept for a minute under the client's request slot (`<clientId>:<n>`, a few per
-- client, so this costs a few keys per live worker), and the same request gets those jobs again
-- instead of leasing more and leaving these to run out their lease.
local CLAIM_REPLAY_MS = 60000

local function claimStashKey(request)
  return BASE .. 'claimed:' .. request.slot
end

-- The jobs the same request leased before and still holds, as `lease` returns them; nil if none.
-- `stashed` is what the request's slot holds.
local function replayClaim(request, stashed)
  if not stashed then return nil end
  local seq, leases = string.match(stashed, '^([^|]*)|(.*)$')
  if seq ~= request.seq then return nil end
  local ids, tokens = {}, {}
  for id, token in string.gmatch(leases, '([^,]+),([^,]+)') do
    ids[#ids + 1], tokens[#tokens + 1] = id, token
  end
  local claimed, again = {}, {}
  for i, record in ipairs(variadic('HMGET', JOBS, ids, 1000)) do
    if record and leaseHeld(decodeJob(record), tokens[i]) then
      claimed[#claimed + 1] = ids[i]
      claimed[#claimed + 1] = record
      if tokens[i] ~= '1' then again[#again + 1] = ids[i] end
    end
  end
  return claimed, detailsOf(again)
end

-- Marks jobs processing under a new lease (each job's claim count goes up by one, and is the
-- token), taking ready ids until `wanted` are leased or the lists are empty: stale entries (a
-- cancelled or moved job's) are dropped on the way. Returns a flat id, record list of the jobs as
-- now stored, and a flat id, details list for those claimed before (a retry sees its earlier
-- errors; a first run has no details to read).
local function lease(k, maxLen, wanted, now, leaseMs, request, timing, turns)
  -- Counters rather than #t: this loop runs once per job, and table length is a search in Lua.
  local claimed, leased, again, stash, taken, n = {}, {}, {}, {}, {}, 0
  local deadlines = {'+inf', ACTIVE_ANCHOR}
  local deadline = whole(now + leaseMs)
  local dry
  local rounds = 0
  startSweep()
  repeat
    local ids, levels
    ids, levels, dry = popReady(k, wanted - n, turns)
    rounds = rounds + 1
    local before = n
    local records = variadic('HMGET', JOBS, ids, 1000)
    for i, id in ipairs(ids) do
      local record, earlierClaims, token
      -- `taken`: a job with two entries (a stale one and a newer) can come up twice in one pop.
      if records[i] and not taken[id] then
        record, earlierClaims, token = claimRecord(records[i], levels[i])
      end
      if record then
        taken[id] = true
        n = n + 1
        leased[n] = id
        claimed[2 * n - 1], claimed[2 * n] = id, record
        deadlines[2 * n + 1], deadlines[2 * n + 2] = deadline, id
        stash[2 * n - 1], stash[2 * n] = id, token
        if earlierClaims ~= '' then again[#again + 1] = id end
      end
    end
    -- Entries popped but not leased (stale ids, tombstones) count toward the claim's sweep.
    sweep.left = sweep.left - (#ids - (n - before))
    if sweep.left <= 0 then sweep.cut = true end
  until n >= wanted or dry or sweep.cut or rounds >= SWEEP_ROUNDS
  -- Cut short by a sweep bound or by the lanes a claim may look at: the next claim goes on.
  if (n < wanted and not dry) or (turns and turns.cut) then sweep.cut = true end
  if sweep.cut then wake(k.wake) end
  saveJobs(claimed)
  countReady(-n)
  if turns then
    startInGroups(claimed)
    if #turns.held > 0 then releaseUnderCap(turns) end
  end
  if n > 0 then
    variadic('ZADD', k.active, deadlines, 1000)
    -- These leases may run out before anything the upkeep knows of.
    if not timing.due or now + leaseMs < timing.due then
      timing.due, timing.changed = now + leaseMs, true
    end
    if request.slot ~= '' then
      redis.call('SET', claimStashKey(request), request.seq .. '|' .. table.concat(stash, ','), 'PX', CLAIM_REPLAY_MS)
    end
  end
  emit(k.events, maxLen, 'processing', leased)
  return claimed, detailsOf(again), n
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

-- What popInTurn needs from the claim's MGET (see claimJobs); nil for a queue that never saw a group.
local function turnsOf(read)
  if not read[5] then return nil end
  return {last = tonumber(read[5]) or 0, limit = tonumber(read[6]), taken = {}, held = {}, looked = 0}
end

-- The whole claim: upkeep when something may be due (see `upkeepKey` in schedule.lua), then up to
-- `wanted` jobs as the rate limit allows (or, for a request sent again, the jobs it leased the
-- first time). One MGET reads what every claim needs first: the upkeep's timing, the pause flag,
-- the request's stash, the rate limit, the groups' last turn and their cap. Reply: {ms until the next delayed or retrying job is due
-- or a lease runs out (-1: none), {id, record, …}, {id, details JSON, …}, ms until the rate limit
-- lets another job start when it holds the queue now (-1: it does not), 1 when one of the claim's
-- bounds cut it short (ready jobs may wait behind what it left) else 0}
local function claimJobs(k, maxLen, keep, c, now)
  local wanted, request = c.wanted, c.request
  local stashKey = request.slot == '' and k.paused or claimStashKey(request)
  local read = redis.call('MGET', upkeepKey(), k.paused, stashKey, rateLimitKey(), BASE .. GROUP_TURN, BASE .. GROUP_LIMIT)
  -- When something falls due (`due`, nil: nothing scheduled) and when the sets were last looked at.
  local timing = {}
  timing.due, timing.looked = parseUpkeep(read[1])
  -- A call for no job is a worker's due timer or a lone upkeep: it always looks.
  if wanted == 0 or (timing.due and timing.due <= now) or now - timing.looked >= UPKEEP_NET_MS then
    local promoted, nextDue = {}, nil
    local function sooner(wait)
      if wait >= 0 and (not nextDue or wait < nextDue) then nextDue = wait end
    end
    sooner(upkeepOf(k.delayed, now, function() promoteDue(k.priorities, k.delayed, now, c.upkeep, promoted) end))
    sooner(upkeepOf(k.retrying, now, function() promoteDue(k.priorities, k.retrying, now, c.upkeep, promoted) end))
    emit(k.events, maxLen, 'pending', promoted)
    -- The queue's first grouped jobs may be among them: take turns from this claim on.
    if #promoted > 0 and not read[5] then read[5] = redis.call('GET', BASE .. GROUP_TURN) end
    sooner(upkeepOf(k.active, now, function() recoverExpired(k, maxLen, keep, now, c.upkeep) end))
    timing.due, timing.looked, timing.changed = nextDue and now + nextDue, now, true
  end

  -- The reply's due time leaves out this call's own leases: their worker renews them.
  local nextDue = timing.due and math.max(0, timing.due - now) or -1
  local claimed, details, heldFor = {}, {}, -1
  sweep.cut = false
  local replayed, replayedDetails = replayClaim(request, request.slot ~= '' and read[3] or nil)
  if replayed then
    claimed, details = replayed, replayedDetails
  elseif wanted > 0 and not read[2] then
    local leased = 0
    local allowed, limit = startsAllowed(wanted, now, parseRateLimit(read[4]))
    -- A queue held by its rate limit reads no ready list.
    if allowed > 0 then claimed, details, leased = lease(k, maxLen, allowed, now, c.leaseMs, request, timing, turnsOf(read)) end
    heldFor = countStarts(limit, claimed, now)
    -- A full claim may have left work behind: pass the wake marker on to another idle worker.
    if leased == wanted then wake(k.wake) end
  end
  if timing.changed then storeUpkeep(timing.due, timing.looked) end
  return {nextDue, claimed, details, heldFor, sweep.cut and 1 or 0}
end

-- The claim arguments from ARGV[first]: jobs wanted, lease ms, upkeep limit, request slot ('' for
-- none) and request sequence number; checked before the call writes anything.
local function claimArgs(first)
  return {
    wanted = numberArg(first, 'jobs wanted', 0, 100000),
    leaseMs = numberArg(first + 1, 'lease ms', 1, 1e12),
    upkeep = numberArg(first + 2, 'upkeep limit', 1, 100000),
    request = {slot = ARGV[first + 3], seq = ARGV[first + 4]},
  }
end
