-- Finished jobs (needs lib, history): a LIST per finished status, `<base>completed`,
-- `<base>failed` and `<base>cancelled`, of entries `<finished µs>,<id>` in the order the jobs
-- finished, oldest at the head. A list entry costs a third of a ZSET member's memory, and a push
-- or pop needs no score parsed, and the order is the one retention, clean and listing want.
--
-- A job that leaves its status (retried, removed) leaves its entry behind rather than searching
-- the list for it: an entry is live while the job's record has the list's status and the entry's
-- time as its entered time. A job retried and finished again gets a new entry with a later time,
-- so its old one is stale. Trimming and clean pop entries from the head and delete only the jobs
-- of live ones; listing and retryJobs skip stale ones. How many entries are live per status is
-- kept in the HASH `<base>totals` (`kept:<status>`), so counts stay exact.

local FINISHED_CODES = {completed = COMPLETED, failed = FAILED, cancelled = CANCELLED}

-- An entry's finished time (as text) and job id.
local function entryParts(entry)
  local comma = string.find(entry, ',', 1, true)
  if not comma then return nil, nil end
  return string.sub(entry, 1, comma - 1), string.sub(entry, comma + 1)
end

-- Whether `record` is the job of a live entry of the status `code` finished at `us`: the status
-- matches and the run state `attempts,claims,entered,run-at` has `us` as its entered time
-- (attempts and claims are small numbers, never 16 digits).
local function entryLive(record, code, us)
  if not record or string.sub(record, 1, 1) ~= code then return false end
  local headEnd = string.find(record, '|', 1, true) or 0
  local at = string.find(record, ',' .. us .. ',', 2, true)
  return at ~= nil and at < headEnd
end

-- The entries of a list from rank `start`, `count` at most, up to the first that finished after
-- `lastUs`: their ids and times, and whether such a later one ended the read.
local function entriesUpTo(listKey, start, count, lastUs)
  local ids, times = {}, {}
  for i, entry in ipairs(redis.call('LRANGE', listKey, start, start + count - 1)) do
    local us, id = entryParts(entry)
    if tonumber(us) > lastUs then return ids, times, true end
    ids[i], times[i] = id, us
  end
  return ids, times, false
end

-- The records of entries `ids` finished at `times` in the list of status `code`: each live one's,
-- false for a stale one.
local function liveRecords(ids, times, code)
  local records = variadic('HMGET', JOBS, ids, 1000)
  for i = 1, #ids do
    if not entryLive(records[i], code, times[i]) then records[i] = false end
  end
  return records
end

local function keptField(status)
  return 'kept:' .. status
end

-- The LINDEX index of `rank` counted from the nearer end (Redis seeks a list from that end).
local function listIndex(len, rank)
  if rank < len / 2 then return rank end
  return rank - len
end

-- The number of entries from the head that finished before `us` (at or before it, with
-- `orEqual`): a binary search, O(log n) reads. Times only grow along a list.
local function entriesBefore(listKey, us, orEqual)
  local lo, hi = 0, redis.call('LLEN', listKey)
  local len = hi
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    local t = tonumber((entryParts(redis.call('LINDEX', listKey, listIndex(len, mid)))))
    if t < us or (orEqual and t == us) then lo = mid + 1 else hi = mid end
  end
  return lo
end

-- A finished list entry's job id (its time is 16 digits until the year 2286, but not assumed).
local function idOfEntry(entry)
  return string.sub(entry, (string.find(entry, ',', 1, true) or 0) + 1)
end

-- Pops entries off the head of a status's list while they are stale, finished more than
-- `maxAge` ms ago, or beyond the newest `maxCount` live ones (`kept` of them live now, `stale`
-- not: any count but 0 has records read), deleting at most `limit` live jobs; stale entries
-- popped on the way are at most twice as many. While the list holds no stale entry (the usual
-- case: only a retry or a removal leaves one) every entry is its job's, so the count pops the
-- oldest without reading their records, and nothing is read while `headUs` (a time no later than the head's, or nil) shows that nothing can
-- be too old yet. While it holds some, the head is read on every call, so that stale entries there
-- go at once whatever the count (jobs removed as soon as they finish leave nothing behind).
-- Batches double from what the count needs, so a run of aged entries takes a few reads. Returns
-- how many live jobs it deleted and the head's time when it read it (nil otherwise).
-- Trimming a few per call keeps pace with any batch size and keeps each call bounded by its own
-- work: trimming in larger, rarer batches saves about 1% of a busy queue's Redis work but stalls
-- the calls that do it.
local function trimFinished(listKey, status, maxAge, maxCount, kept, stale, limit, headUs)
  local excess = kept - maxCount
  local cutoff = nowUs - maxAge * 1000
  local deleted, doomed = 0, {}
  if stale == 0 and excess > 0 then
    for i, entry in ipairs(redis.call('LPOP', listKey, math.min(excess, limit)) or {}) do doomed[i] = idOfEntry(entry) end
    deleted = #doomed
  end
  if deleted >= limit or (stale == 0 and deleted >= excess and headUs and headUs > cutoff) then
    deleteJobs(doomed)
    return deleted, nil
  end
  local code = FINISHED_CODES[status]
  local popped, headTime, batch, stop = 0, nil, math.max(excess - deleted, 0) + 1, false
  while not stop and deleted < limit and popped < 2 * limit do
    local entries
    if batch == 1 then
      local one = redis.call('LINDEX', listKey, popped)
      entries = one and {one} or {}
    else
      entries = redis.call('LRANGE', listKey, popped, popped + batch - 1)
    end
    if #entries == 0 then break end
    local ids, times = {}, {}
    for i, entry in ipairs(entries) do times[i], ids[i] = entryParts(entry) end
    headTime = headTime or tonumber(times[1])
    local records = stale ~= 0 and liveRecords(ids, times, code)
    for i = 1, #entries do
      local live = not records or records[i]
      if live and deleted >= excess and tonumber(times[i]) > cutoff then
        stop = true
        break
      end
      if live then
        deleted = deleted + 1
        doomed[deleted] = ids[i]
      end
      popped = popped + 1
      if deleted >= limit then break end
    end
    batch = math.min(2 * batch, limit)
  end
  if popped > 0 then redis.call('LPOP', listKey, popped) end
  deleteJobs(doomed)
  return deleted, headTime
end

-- Files the jobs of `ids` (their records already say `status`, finished now) at the tail of the
-- status's list, counts them (and, for completed and failed, in the totals and the minute's
-- history), then trims the list past its retention: `maxAge` ms, `maxCount` jobs, deleting at most
-- as many as it filed plus `removals`. One HMGET and one HSET of the totals per call, which also
-- keep `head:<status>`, a time no later than the list's head (pops only move the head later), so
-- that most calls need not read the head to know that nothing is too old.
local function fileFinished(listKey, status, ids, maxAge, maxCount, removals)
  local n = #ids
  if n == 0 then return end
  local entries = {}
  for i = 1, n do entries[i] = nowUsText .. ',' .. ids[i] end
  local length
  if n <= 1000 then
    length = redis.call('RPUSH', listKey, unpack(entries))
  else
    variadic('RPUSH', listKey, entries, 1000)
    length = redis.call('LLEN', listKey)
  end
  local key, kept, headField = BASE .. 'totals', keptField(status), 'head:' .. status
  local field, minute = historyField()
  local stored = redis.call('HMGET', key, kept, headField, status, field)
  -- Every entry is live or stale, and the live ones are counted: the rest are stale. A count above
  -- the entries could only come from a fault; trimming then reads every record (stale < 0).
  local keptNow = count(stored[1]) + n
  local deleted, headUs = trimFinished(listKey, status, maxAge, maxCount, keptNow, length - keptNow, n + removals, tonumber(stored[2]))
  keptNow = keptNow - deleted
  local values = {kept, keptNow}
  if headUs then push(values, headField, whole(headUs)) end
  if status ~= 'cancelled' then
    local completed, failed = 0, 0
    if status == 'completed' then completed = n else failed = n end
    push(values, status, whole(count(stored[3]) + n), field, historyAdded(stored[4], minute, completed, failed))
  end
  redis.call('HSET', key, unpack(values))
end

-- Jobs that left a finished status without their entry (retried, removed): no longer counted.
local function unfileFinished(status, n)
  if n > 0 then redis.call('HINCRBY', BASE .. 'totals', keptField(status), -n) end
end

-- The live jobs of a finished status (getStats).
local function keptCounts()
  local stored = redis.call('HMGET', BASE .. 'totals', keptField('completed'), keptField('failed'), keptField('cancelled'))
  return count(stored[1]), count(stored[2]), count(stored[3])
end
