-- Upkeep and claiming, shared by claimJobs and finishAndClaimJobs (needs lib).
-- `k` names the keys: base, priorities, delayed, retrying, active, failed, wake, events,
-- leaseCounter, paused.

-- A lease that ran out means its worker died or stalled: run the job again, unless that was its
-- last attempt. Recovered jobs go to the head of their level, since they were claimed long ago.
local function recoverExpired(k, maxLen, now, limit)
  local expired = redis.call('ZRANGEBYSCORE', k.active, '-inf', now, 'LIMIT', 0, limit)
  if #expired == 0 then return end
  redis.call('ZREM', k.active, unpack(expired))
  local recovered, lost = {}, {}
  for _, id in ipairs(expired) do
    local jk = jobKey(k.base, id)
    local job = redis.call('HMGET', jk, 'a', 'm')
    local attempts, maxAttempts = tonumber(job[1] or '0'), tonumber(job[2] or '1')
    local message = 'worker lost: lease expired on attempt ' .. attempts .. ' of ' .. maxAttempts
    recordFailedAttempt(jk, attempts, attempts >= maxAttempts and 'failed' or 'lost', message, now)
    if attempts >= maxAttempts then
      finish(k.base, k.failed, id, 'failed')
      redis.call('HSET', jk, 'fa', now, 'x', message)
      lost[#lost + 1] = id
    else
      requeue(k.base, k.priorities, id, true, 'l')
      recovered[#recovered + 1] = id
    end
  end
  emit(k.events, maxLen, 'recovered', recovered)
  emit(k.events, maxLen, 'failed', lost, 'worker lost')
end

-- Takes up to `wanted` ids off the ready lists, highest priority first, oldest first within one.
local function popReady(k, wanted)
  local ids = {}
  while #ids < wanted do
    local top = redis.call('ZREVRANGE', k.priorities, 0, 0)[1]
    if not top then break end
    local list = readyKey(k.base, top)
    local popped = redis.call('LPOP', list, wanted - #ids)
    if popped then
      for _, id in ipairs(popped) do ids[#ids + 1] = id end
    end
    if redis.call('LLEN', list) == 0 then redis.call('ZREM', k.priorities, top) end
  end
  return ids
end

-- Whole numbers in full: tostring() would print 16-digit µs times in exponent form.
local function asString(value)
  if type(value) == 'number' then return string.format('%.0f', value) end
  return value
end

-- Marks jobs processing under a fresh lease token; returns the token and {id, fields} per job.
local function lease(k, maxLen, ids, now, leaseMs)
  local token = redis.call('INCR', k.leaseCounter)
  local claimed, deadlines = {}, {}
  for _, id in ipairs(ids) do
    local jk = jobKey(k.base, id)
    local fields = redis.call('HGETALL', jk)
    -- Read first, then one write; the reply is patched to show the job as now stored.
    local update = {a = 1, s = 'processing', e = nowUs, l = token}
    for i = 1, #fields, 2 do
      if fields[i] == 'a' then update.a = tonumber(fields[i + 1]) + 1 end
    end
    local args = {}
    for i = 1, #fields, 2 do
      local value = update[fields[i]]
      if value then
        fields[i + 1] = asString(value)
        update[fields[i]] = nil
        args[#args + 1] = fields[i]
        args[#args + 1] = value
      end
    end
    for name, value in pairs(update) do
      fields[#fields + 1] = name
      fields[#fields + 1] = asString(value)
      args[#args + 1] = name
      args[#args + 1] = value
    end
    redis.call('HSET', jk, unpack(args))
    claimed[#claimed + 1] = {id, fields}
    deadlines[#deadlines + 1] = now + leaseMs
    deadlines[#deadlines + 1] = id
  end
  redis.call('ZADD', k.active, unpack(deadlines))
  emit(k.events, maxLen, 'processing', ids)
  return token, claimed
end

-- Ms until the next delayed or retrying job is due or a lease runs out; -1 when none.
local function nextDueIn(k, now)
  local nextDue = -1
  for _, key in ipairs({k.delayed, k.retrying, k.active}) do
    local head = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')[2]
    if head then
      local wait = math.max(0, tonumber(head) - now)
      if nextDue < 0 or wait < nextDue then nextDue = wait end
    end
  end
  return nextDue
end

-- The whole claim: upkeep, then up to `wanted` jobs. Reply: {next due ms, token, {id, fields}…}
local function claimJobs(k, maxLen, wanted, leaseMs, upkeep, now)
  local promoted = {}
  promoteDue(k.base, k.priorities, k.delayed, now, upkeep, promoted)
  promoteDue(k.base, k.priorities, k.retrying, now, upkeep, promoted)
  emit(k.events, maxLen, 'pending', promoted)
  recoverExpired(k, maxLen, now, upkeep)

  local token, claimed = 0, {}
  if wanted > 0 and redis.call('EXISTS', k.paused) == 0 then
    local ids = popReady(k, wanted)
    if #ids > 0 then token, claimed = lease(k, maxLen, ids, now, leaseMs) end
    -- Pass the wake marker on so another idle worker takes what this one left.
    if redis.call('EXISTS', k.priorities) == 1 then wake(k.wake) end
  end

  local reply = {nextDueIn(k, now), token}
  for _, job in ipairs(claimed) do reply[#reply + 1] = job end
  return reply
end
