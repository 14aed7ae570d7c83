-- Due times (needs lib): when claims must look for due jobs and dead leases, and filing jobs
-- under the delayed and retrying schedules.

-- When the upkeep (promoting due delayed and retrying jobs, recovering expired leases) must look
-- next, in one string `<base>upkeep`: `<due ms>|<looked ms>`. Nothing in the delayed, retrying or
-- active sets falls due before <due> ('' when they hold nothing), and <looked> is when a claim
-- last looked at them. A claim reads the three sets only when <due> has come or UPKEEP_NET_MS have
-- passed since <looked> (a net for a write that added a due time without lowering <due>), so the
-- usual claim pays one read for the upkeep instead of three. Every write that adds an earlier due
-- time lowers <due>: schedule() below, and the leases a claim hands out. <due> may be earlier than
-- the truth (the job it was for finished or moved): the next upkeep finds nothing and moves it on.
local UPKEEP_NET_MS = 1000

local function upkeepKey()
  return BASE .. 'upkeep'
end

-- The stored upkeep schedule: due ms (nil when nothing is scheduled) and when it was last looked at.
local function parseUpkeep(stored)
  if not stored then return nil, 0 end
  local due, looked = string.match(stored, '^(%d*)|(%d*)$')
  return tonumber(due), tonumber(looked) or 0
end

local function storeUpkeep(due, looked)
  redis.call('SET', upkeepKey(), (due and whole(due) or '') .. '|' .. whole(looked))
end

-- Lowers the upkeep's due time to `at` if that is earlier; true when it did (no one knew of it).
local function noteDue(at)
  local due, looked = parseUpkeep(redis.call('GET', upkeepKey()))
  if due and due <= at then return false end
  storeUpkeep(at, looked)
  return true
end

-- Files jobs under a schedule ZSET (delayed or retrying); `scored` is a flat run-at, id list.
-- Idle workers sleep until the earliest due time they know of, so a new earliest one wakes them.
local function schedule(scheduleKey, wakeKey, scored)
  if #scored == 0 then return end
  local earliest = scored[1]
  for i = 3, #scored, 2 do earliest = math.min(earliest, scored[i]) end
  variadic('ZADD', scheduleKey, scored, 1000)
  if noteDue(earliest) then wake(wakeKey) end
end
