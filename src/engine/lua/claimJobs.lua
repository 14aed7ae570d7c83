-- claimJobs: promotes due jobs, recovers jobs whose lease ran out, then claims up to n ready jobs,
-- highest priority first and oldest first within a priority.
-- KEYS[1]  base          `<prefix>:{<queue>}:`
-- KEYS[2]  priorities    ZSET `<base>priorities`
-- KEYS[3]  delayed       ZSET `<base>delayed`
-- KEYS[4]  retrying      ZSET `<base>retrying`
-- KEYS[5]  active        ZSET `<base>active`
-- KEYS[6]  failed        ZSET `<base>failed`
-- KEYS[7]  wake          LIST `<base>wake`
-- KEYS[8]  events        STREAM `<base>events`
-- KEYS[9]  leaseCounter  STRING `<base>lease`
-- KEYS[10] paused        STRING `<base>paused`
-- ARGV[1] events max length
-- ARGV[2] jobs to claim at most (0 only runs the upkeep)
-- ARGV[3] lease ms
-- ARGV[4] upkeep limit: due jobs promoted and dead leases recovered per call, each
-- Returns {ms until the next due job or lease deadline (-1: none), lease token, {id, {field, value, …}}, …}
-- @include lib

local base, prioritiesKey, delayedKey, retryingKey, activeKey, failedKey, wakeKey, eventsKey, leaseCounterKey, pausedKey =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9], KEYS[10]
local maxLen, wanted, leaseMs, upkeep = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local now = nowMs()

local promoted = {}
promoteDue(base, prioritiesKey, delayedKey, now, upkeep, promoted)
promoteDue(base, prioritiesKey, retryingKey, now, upkeep, promoted)
emit(eventsKey, maxLen, 'pending', promoted)

-- A lease that ran out means its worker died or stalled: run the job again, unless that was its
-- last attempt. Recovered jobs go to the head of their level, since they were claimed long ago.
local recovered, lost = {}, {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', activeKey, '-inf', now, 'LIMIT', 0, upkeep)) do
  local jk = jobKey(base, id)
  redis.call('ZREM', activeKey, id)
  local job = redis.call('HMGET', jk, 'a', 'm', 'p')
  local attempts, maxAttempts = tonumber(job[1] or '0'), tonumber(job[2] or '1')
  if attempts >= maxAttempts then
    finish(base, failedKey, id, 'failed')
    redis.call('HSET', jk, 'fa', now, 'x',
      'worker lost: lease expired on attempt ' .. attempts .. ' of ' .. maxAttempts)
    lost[#lost + 1] = id
  else
    redis.call('HSET', jk, 's', 'pending', 'e', nowUs)
    redis.call('HDEL', jk, 'l')
    pushReady(base, prioritiesKey, id, tonumber(job[3] or '0'), true)
    recovered[#recovered + 1] = id
  end
end
emit(eventsKey, maxLen, 'recovered', recovered)
emit(eventsKey, maxLen, 'failed', lost, 'worker lost')

local claimed = {}
local token = 0
if wanted > 0 and redis.call('EXISTS', pausedKey) == 0 then
  local claimedIds = {}
  while #claimedIds < wanted do
    local top = redis.call('ZREVRANGE', prioritiesKey, 0, 0)[1]
    if not top then break end
    local list = readyKey(base, top)
    local ids = redis.call('LPOP', list, wanted - #claimedIds)
    if not ids then
      redis.call('ZREM', prioritiesKey, top)
    else
      for _, id in ipairs(ids) do claimedIds[#claimedIds + 1] = id end
      if redis.call('LLEN', list) == 0 then redis.call('ZREM', prioritiesKey, top) end
    end
  end
  if #claimedIds > 0 then
    token = redis.call('INCR', leaseCounterKey)
    for _, id in ipairs(claimedIds) do
      local jk = jobKey(base, id)
      redis.call('HINCRBY', jk, 'a', 1)
      redis.call('HSET', jk, 's', 'processing', 'e', nowUs, 'l', token)
      redis.call('ZADD', activeKey, now + leaseMs, id)
      claimed[#claimed + 1] = {id, redis.call('HGETALL', jk)}
    end
    emit(eventsKey, maxLen, 'processing', claimedIds)
  end
  -- Pass the wake marker on so another idle worker takes what this one left.
  if redis.call('ZCARD', prioritiesKey) > 0 then wake(wakeKey) end
end

local nextDue = -1
for _, key in ipairs({delayedKey, retryingKey, activeKey}) do
  local head = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')[2]
  if head then
    local wait = math.max(0, tonumber(head) - now)
    if nextDue < 0 or wait < nextDue then nextDue = wait end
  end
end

local reply = {nextDue, token}
for _, job in ipairs(claimed) do reply[#reply + 1] = job end
return reply
