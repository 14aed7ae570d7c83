-- getStats: counts the jobs of a queue by state; reads only, O(log n) however many priority
-- levels are in use (plus at most 512 ready entries read past stale heads, below). Counts agree
-- with job statuses and with what listJobs pages through: a delayed job is `pending`, so once due
-- it counts as pending (it no longer waits for its time) before a worker's upkeep moves it to its
-- ready list; a retrying job is `retrying` until then.
-- KEYS[1] base        `<prefix>:{<queue>}:` (the ready count `<base>readyCount` is built from it)
-- KEYS[2] priorities  ZSET `<base>priorities`
-- KEYS[3] delayed     ZSET `<base>delayed`
-- KEYS[4] retrying    ZSET `<base>retrying`
-- KEYS[5] active      ZSET `<base>active`
-- KEYS[6] paused      STRING `<base>paused`
-- Finished jobs are counted in `<base>totals` (see includes/finished.lua).
-- Returns {pending, delayed, processing, retrying, completed, failed, cancelled, paused 0|1,
--          µs the oldest ready job entered pending (-1: none), the fair groups' cap (0: none)}.

local prioritiesKey = KEYS[2]
-- The oldest ready job is at the head of some level's list (each is oldest first). Looking at
-- the highest and lowest levels bounds the cost; with more levels than that in use, the oldest
-- of those looked at is reported.
local LEVELS_LOOKED_AT = 16
-- A cancelled or re-prioritised job leaves its place (a tombstone, or its stale entry) until a
-- claim passes it, so a level's head may say nothing: every level's head is read, and entries past
-- such heads in reads that grow, at most this many a call in all (a level whose first job lies
-- further is left out, as its oldest is unknown).
local ENTRIES_PAST_HEADS = 512
local unread = ENTRIES_PAST_HEADS
local oldest = -1

-- µs the first job of a level's list became ready; nil when none was found.
local function oldestOf(priority)
  local key, from, size = readyKey(priority), 0, 1
  repeat
    local entries = redis.call('LRANGE', key, from, from + size - 1)
    if #entries == 0 then return nil end
    for i, record in ipairs(redis.call('HMGET', JOBS, unpack(entries))) do
      local entered, isJob = entryTime(entries[i], record, priority)
      if isJob then return entered end
    end
    if #entries < size then return nil end
    from = from + #entries
    size = math.min(size * 4, unread)
    unread = unread - size
  until size <= 0
end

local function lookAt(levels)
  for _, priority in ipairs(levels) do
    local entered = oldestOf(priority)
    if entered and (oldest < 0 or entered < oldest) then oldest = entered end
  end
end
lookAt(redis.call('ZREVRANGE', prioritiesKey, 0, LEVELS_LOOKED_AT - 1))
if redis.call('ZCARD', prioritiesKey) > LEVELS_LOOKED_AT then
  lookAt(redis.call('ZRANGE', prioritiesKey, 0, LEVELS_LOOKED_AT - 1))
end
-- The fair groups' oldest ready job heads their listing set (see includes/ready-lists.lua).
local oldestGrouped = tonumber(redis.call('ZRANGE', BASE .. GROUPED_PENDING, 0, 0, 'WITHSCORES')[2])
if oldestGrouped and (oldest < 0 or oldestGrouped < oldest) then oldest = oldestGrouped end
local due = redis.call('ZCOUNT', KEYS[3], '-inf', nowMs())
local completed, failed, cancelled = keptCounts()
return {
  (tonumber(redis.call('GET', BASE .. 'readyCount')) or 0) + due,
  redis.call('ZCARD', KEYS[3]) - due,
  redis.call('ZCOUNT', KEYS[5], '-inf', '(+inf'),
  redis.call('ZCARD', KEYS[4]),
  completed,
  failed,
  cancelled,
  redis.call('EXISTS', KEYS[6]),
  oldest,
  tonumber(redis.call('GET', BASE .. GROUP_LIMIT)) or 0,
}
