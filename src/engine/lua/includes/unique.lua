-- Unique jobs, for addJobs and the scripts that finish jobs (needs lib).
-- A job dispatched with a unique key holds `<base>unique:<key>` (STRING, its job id): while it
-- waits or runs, or, given uniqueFor, for that many ms after its dispatch (the key then expires
-- by itself, whatever the job does meanwhile). A dispatch whose key is held by a stored job stores
-- nothing and resolves to that job. `<base>uniqueHeld` (HASH job id -> key) lists the jobs that
-- hold their key until they finish, so that finishing releases it: a queue that never used unique
-- keys pays one EXISTS per finishing call for this (recording outcomes shares it with the groups').

local UNIQUE_HELD = 'uniqueHeld'

local function uniqueKeyName(key)
  return BASE .. 'unique:' .. key
end

-- Keeps only the jobs of addJobs' ARGV (layout in addJobs.lua's header) and of `ids` whose
-- positions are in `kept`, so that the rest of addJobs sees only the jobs to store.
local function keepJobs(ids, kept)
  local n = #ids
  local keptIds = {}
  for _, i in ipairs(kept) do keptIds[#keptIds + 1] = ids[i] end
  local args = {ARGV[1], tostring(#kept), ARGV[3], ARGV[4], table.concat(keptIds, ',')}
  -- Records, then (when delays or priorities differ) delays and priorities: a column of n each.
  local columns = (ARGV[3] ~= '' and ARGV[4] ~= '') and 1 or 3
  for column = 0, columns - 1 do
    for _, i in ipairs(kept) do args[#args + 1] = ARGV[5 + column * n + i] end
  end
  ARGV = args
  for i = n, 1, -1 do ids[i] = keptIds[i] end
end

-- Reads the unique keys that addJobs' caller put at the end of ARGV: `…, (job index, key,
-- uniqueFor ms or 0) for each unique job, their number m` (ARGV[#ARGV] = m, 0 for none). Jobs whose
-- key is held, by a stored job or by an earlier job of this call, are dropped from ARGV and from
-- `ids` (the call's ids, in order); it only reads, so addJobs may still refuse the call before its
-- first write. Returns the plan: `duplicates` (flat: index, holder id, holder record or '' for a
-- job of this call, holder details or ''), and `take` (the keys the stored jobs hold, for
-- holdUniqueKeys).
local function planUniqueJobs(ids)
  local n, last = #ids, #ARGV
  local m = numberArg(last, 'number of unique jobs', 0, n)
  local plan = {duplicates = {}, take = {}}
  if m == 0 then return plan end
  local first = last - 3 * m
  local takenBy, dropped, drops = {}, {}, 0
  for at = first, last - 1, 3 do
    local index = numberArg(at, 'unique job index', 1, n)
    local key, forMs = ARGV[at + 1], numberArg(at + 2, 'uniqueFor', 0, 1e13)
    if key == '' or dropped[index] then error('flexq: addJobs unique key ' .. (at + 1) .. ' is empty or its job repeated') end
    local id = ids[index]
    local holder, record = takenBy[key], nil
    if not holder then
      local stored = redis.call('GET', uniqueKeyName(key))
      record = stored and redis.call('HGET', JOBS, stored)
      -- A key whose job is gone (removed by retention) is free again.
      if record then holder = stored end
    end
    if holder then
      dropped[index], drops = true, drops + 1
      local details = record and redis.call('HGET', DETAILS, holder)
      local list = plan.duplicates
      list[#list + 1], list[#list + 2], list[#list + 3], list[#list + 4] = index, holder, record or '', details or ''
    else
      takenBy[key] = id
      plan.take[#plan.take + 1] = {key = key, id = id, forMs = forMs}
    end
  end
  if drops > 0 then
    local kept = {}
    for i = 1, n do
      if not dropped[i] then kept[#kept + 1] = i end
    end
    keepJobs(ids, kept)
  end
  return plan
end

-- Gives the keys of the plan to the jobs just stored.
local function holdUniqueKeys(plan)
  local held = {}
  for _, take in ipairs(plan.take) do
    if take.forMs > 0 then
      redis.call('SET', uniqueKeyName(take.key), take.id, 'PX', take.forMs)
    else
      redis.call('SET', uniqueKeyName(take.key), take.id)
      held[#held + 1], held[#held + 2] = take.id, take.key
    end
  end
  if #held > 0 then variadic('HSET', BASE .. UNIQUE_HELD, held, 1000) end
end

-- addJobs' reply with the duplicates of the plan appended (nothing when there were none).
local function withDuplicates(plan, reply)
  if #plan.duplicates > 0 then reply[#reply + 1] = plan.duplicates end
  return reply
end

-- Releases the keys that the jobs of `completed` and of `retryable` (failed for good, cancelled)
-- held until they finished. A key already taken by another job (after uniqueFor ran out) stays.
-- A retryable job still stored keeps its key in its details (`u`), so that a retry can take it
-- back; a completed one cannot be retried, so its finish writes nothing more.
local function releaseUniqueKeys(completed, retryable)
  local lists = {completed, retryable}
  local any = #completed > 0 or #retryable > 0
  -- Most queues hold no unique job: the ids are gathered only when one does.
  if not any or redis.call('EXISTS', BASE .. UNIQUE_HELD) == 0 then return end
  local ids = {}
  for _, list in ipairs(lists) do
    for _, id in ipairs(list) do ids[#ids + 1] = id end
  end
  local keys, holders = variadic('HMGET', BASE .. UNIQUE_HELD, ids, 1000), {}
  for i = 1, #ids do
    local key = keys[i]
    if key then
      holders[#holders + 1] = ids[i]
      if redis.call('GET', uniqueKeyName(key)) == ids[i] then redis.call('DEL', uniqueKeyName(key)) end
    end
  end
  if #holders == 0 then return end
  variadic('HDEL', BASE .. UNIQUE_HELD, holders, 1000)
  -- Retention may have deleted a job in this very call: no details for it.
  local kept, keyOf, mayRetry = {}, {}, {}
  for i = #completed + 1, #ids do keyOf[ids[i]] = keys[i] end
  for _, id in ipairs(retryable) do
    if keyOf[id] then mayRetry[#mayRetry + 1] = id end
  end
  if #mayRetry == 0 then return end
  local stored = variadic('HMGET', JOBS, mayRetry, 1000)
  local details = variadic('HMGET', DETAILS, mayRetry, 1000)
  for i, id in ipairs(mayRetry) do
    if stored[i] then
      local each = details[i] and cjson.decode(details[i]) or {}
      each.u = keyOf[id]
      kept[#kept + 1], kept[#kept + 2] = id, cjson.encode(each)
    end
  end
  if #kept > 0 then variadic('HSET', DETAILS, kept, 1000) end
end

-- A retried job takes back the key it held until it finished (its details' `u`, which it drops),
-- unless another stored job holds that key now. `details` is the job's, decoded; the caller saves it.
local function retakeUniqueKey(id, details)
  local key = details.u
  if not key then return end
  details.u = nil
  local holder = redis.call('GET', uniqueKeyName(key))
  if holder and holder ~= id and redis.call('HEXISTS', JOBS, holder) == 1 then return end
  redis.call('SET', uniqueKeyName(key), id)
  redis.call('HSET', BASE .. UNIQUE_HELD, id, key)
end
