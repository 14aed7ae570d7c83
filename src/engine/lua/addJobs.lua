-- addJobs: stores new jobs and makes them ready (or schedules them), all or none.
-- KEYS[1] base        `<prefix>:{<queue>}:` (job and ready-list keys are built from it)
-- KEYS[2] priorities  ZSET `<base>priorities`
-- KEYS[3] delayed     ZSET `<base>delayed`
-- KEYS[4] wake        LIST `<base>wake`
-- KEYS[5] events      STREAM `<base>events`
-- ARGV[1] events max length
-- ARGV[2] number of jobs n; then 7 values per job:
--         id, type, payload JSON, max attempts, priority, delay ms (0 = ready now), timeout ms (0 = none)
-- Returns {'OK', created µs} or {'ID_EXISTS', id} when an id is taken or repeated (nothing is stored then).
-- @include lib

local base, prioritiesKey, delayedKey, wakeKey, eventsKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local maxLen = ARGV[1]
local n = tonumber(ARGV[2])
local FIELDS = 7

local seen = {}
for i = 0, n - 1 do
  local id = ARGV[3 + i * FIELDS]
  if seen[id] or redis.call('EXISTS', jobKey(base, id)) == 1 then
    return {'ID_EXISTS', id}
  end
  seen[id] = true
end

local now = nowMs()
local ready, delayed = {}, {}
local readyByPriority, scheduled, earliest = {}, {}, nil
for i = 0, n - 1 do
  local at = 3 + i * FIELDS
  local id, priority, delay, timeout = ARGV[at], tonumber(ARGV[at + 4]), tonumber(ARGV[at + 5]), tonumber(ARGV[at + 6])
  -- Defaults are left out of the hash: fewer fields keep a waiting job small.
  local fields = {'t', ARGV[at + 1], 'd', ARGV[at + 2], 's', 'pending', 'm', ARGV[at + 3], 'c', nowUs}
  if priority ~= 0 then fields[#fields + 1] = 'p'; fields[#fields + 1] = priority end
  if timeout > 0 then fields[#fields + 1] = 'o'; fields[#fields + 1] = timeout end
  if delay > 0 then
    local runAt = now + delay
    fields[#fields + 1] = 'w'; fields[#fields + 1] = delay
    fields[#fields + 1] = 'r'; fields[#fields + 1] = runAt
    scheduled[#scheduled + 1] = runAt
    scheduled[#scheduled + 1] = id
    if not earliest or runAt < earliest then earliest = runAt end
    delayed[#delayed + 1] = id
  else
    local level = readyByPriority[priority]
    if not level then
      level = {}
      readyByPriority[priority] = level
    end
    level[#level + 1] = id
    ready[#ready + 1] = id
  end
  redis.call('HSET', jobKey(base, id), unpack(fields))
end

-- One write per priority level and one for the schedule, however many jobs the batch holds.
for priority, ids in pairs(readyByPriority) do
  variadic('RPUSH', readyKey(base, priority), ids, 1000)
  redis.call('ZADD', prioritiesKey, priority, priority)
end
if earliest then
  -- Idle workers sleep until the earliest due time they know of; an earlier one must wake them.
  local head = redis.call('ZRANGE', delayedKey, 0, 0, 'WITHSCORES')[2]
  variadic('ZADD', delayedKey, scheduled, 1000)
  if not head or earliest < tonumber(head) then wake(wakeKey) end
end
if #ready > 0 then wake(wakeKey) end
emit(eventsKey, maxLen, 'added', ready)
emit(eventsKey, maxLen, 'delayed', delayed)
return {'OK', nowUs}
