-- Helpers shared by the queue scripts; `-- @include lib` pastes this file at the top of a script.
-- Every key is built from KEYS[1] (the queue's base `<prefix>:{<queue>}:`), so all of them carry
-- the queue's hash tag and live in one cluster slot.
-- Job hash fields: t type, d payload JSON, s status, a attempts, m max attempts, p priority,
-- w delay asked, o timeout, c created µs, e entered-status µs, r run-at ms, pa processed ms,
-- fa failed ms, x error, res result JSON, g progress JSON, l lease token, h failed attempts JSON.
-- `c` and `e` are in microseconds (`e` absent: still in its first status, entered at `c`), so jobs
-- created or moved in the same millisecond keep their order when listed; other times are in ms.

-- Set by nowMs(), which every script calls once before it writes a time.
local nowUs = 0

local function nowMs()
  local t = redis.call('TIME')
  nowUs = tonumber(t[1]) * 1000000 + tonumber(t[2])
  return math.floor(nowUs / 1000)
end

-- Runs a variadic command over `values` in slices of `step` (even for pairs): Lua's unpack()
-- cannot spread more than a few thousand values at once.
local function variadic(command, key, values, step)
  for i = 1, #values, step do
    redis.call(command, key, unpack(values, i, math.min(i + step - 1, #values)))
  end
end

local function jobKey(base, id)
  return base .. 'job:' .. id
end

local function readyKey(base, priority)
  return base .. 'ready:' .. priority
end

-- Appends (or, for a job that was already waiting, puts back at the head) a ready job.
local function pushReady(base, prioritiesKey, id, priority, atHead)
  if atHead then
    redis.call('LPUSH', readyKey(base, priority), id)
  else
    redis.call('RPUSH', readyKey(base, priority), id)
  end
  redis.call('ZADD', prioritiesKey, priority, priority)
end

local function removeReady(base, prioritiesKey, id, priority)
  local list = readyKey(base, priority)
  redis.call('LREM', list, 1, id)
  if redis.call('LLEN', list) == 0 then
    redis.call('ZREM', prioritiesKey, priority)
  end
end

-- One marker at most: idle workers block on it, and each woken worker passes it on if work remains.
local function wake(wakeKey)
  if redis.call('LLEN', wakeKey) == 0 then
    redis.call('RPUSH', wakeKey, '1')
  end
end

-- Files a job under a schedule ZSET (delayed or retrying) to run at `runAt`. Idle workers sleep
-- until the earliest due time they know of, so a new earliest one wakes them.
local function schedule(scheduleKey, wakeKey, id, runAt)
  local head = redis.call('ZRANGE', scheduleKey, 0, 0, 'WITHSCORES')[2]
  redis.call('ZADD', scheduleKey, runAt, id)
  if not head or runAt < tonumber(head) then wake(wakeKey) end
end

-- One stream entry per operation, naming the jobs it touched (comma-separated) keeps the feed
-- cheap. MAXLEN counts entries, not bytes, so an entry names at most 50 jobs and gives the total
-- in `n`: the feed's memory stays bounded however large the batches are.
local EVENT_IDS = 50

local function emit(eventsKey, maxLen, event, ids, extra)
  if #ids == 0 then return end
  local fields = {'ev', event}
  if #ids > EVENT_IDS then
    fields[#fields + 1] = 'ids'
    fields[#fields + 1] = table.concat(ids, ',', 1, EVENT_IDS)
    fields[#fields + 1] = 'n'
    fields[#fields + 1] = #ids
  else
    fields[#fields + 1] = 'ids'
    fields[#fields + 1] = table.concat(ids, ',')
  end
  if extra then
    fields[#fields + 1] = 'x'
    fields[#fields + 1] = extra
  end
  redis.call('XADD', eventsKey, 'MAXLEN', '~', maxLen, '*', unpack(fields))
end

-- Appends a failed attempt to the job's history (the last 10 are kept). Successful attempts add
-- nothing, so the common path pays nothing for it.
local HISTORY_KEPT = 10

local function recordFailedAttempt(jk, attempt, outcome, err, now)
  local stored = redis.call('HGET', jk, 'h')
  local history = stored and cjson.decode(stored) or {}
  history[#history + 1] = {a = tonumber(attempt), o = outcome, x = err, t = now}
  while #history > HISTORY_KEPT do table.remove(history, 1) end
  redis.call('HSET', jk, 'h', cjson.encode(history))
end

local function priorityOf(jk)
  return tonumber(redis.call('HGET', jk, 'p') or '0')
end

-- Makes a job ready again, `pending` from now, dropping the fields (...) of the state it leaves;
-- at the tail of its level, or at the head for a job that has waited its turn already.
local function requeue(base, prioritiesKey, id, atHead, ...)
  local jk = jobKey(base, id)
  redis.call('HSET', jk, 's', 'pending', 'e', nowUs)
  redis.call('HDEL', jk, ...)
  pushReady(base, prioritiesKey, id, priorityOf(jk), atHead)
end

-- Moves up to `limit` due jobs from a schedule ZSET (delayed or retrying) to the ready lists.
local function promoteDue(base, prioritiesKey, scheduleKey, now, limit, promoted)
  local due = redis.call('ZRANGEBYSCORE', scheduleKey, '-inf', now, 'LIMIT', 0, limit)
  for _, id in ipairs(due) do
    redis.call('ZREM', scheduleKey, id)
    requeue(base, prioritiesKey, id, false, 'r')
    promoted[#promoted + 1] = id
  end
end

-- Removes finished jobs past their retention (age first, then count), at most `limit` per call.
local function trimFinished(base, finishedKey, maxAge, maxCount, limit)
  local old = redis.call('ZRANGEBYSCORE', finishedKey, '-inf', nowUs - maxAge * 1000, 'LIMIT', 0, limit)
  local excess = redis.call('ZCARD', finishedKey) - #old - maxCount
  if excess > 0 then
    local oldest = redis.call('ZRANGE', finishedKey, #old, #old + math.min(excess, limit - #old) - 1)
    for _, id in ipairs(oldest) do old[#old + 1] = id end
  end
  if #old == 0 then return end
  local jobKeys = {}
  for i, id in ipairs(old) do jobKeys[i] = jobKey(base, id) end
  redis.call('DEL', unpack(jobKeys))
  redis.call('ZREM', finishedKey, unpack(old))
end

-- Ends a job's current status and files it under a finished ZSET, scored in µs so that jobs
-- finished in the same millisecond list in order.
local function finish(base, finishedKey, id, status)
  local jk = jobKey(base, id)
  redis.call('HSET', jk, 's', status, 'e', nowUs)
  redis.call('HDEL', jk, 'l', 'r')
  redis.call('ZADD', finishedKey, nowUs, id)
end
