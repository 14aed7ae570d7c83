-- The ready lists in time order (needs lib). Each level's list runs from its oldest entry at the
-- head to its newest at the tail, by the time the entry's job became ready: its record's entered
-- time (its created time while it has none). Tail pushes (new, promoted, retried or re-prioritised
-- jobs) happen at the current time, and a job put back at the head (recovered, handed back) takes
-- a time no later than the head's (`makePendingAtHead`). So a list can be searched by time in
-- O(log n) reads (LINDEX hops the quicklist's nodes): a listing finds any page by rank, and a
-- cancel finds the entry of the job it takes out.
-- An entry whose job leaves its level (cancel, a new priority) becomes a tombstone `~<time µs>`
-- in place: it keeps the list in order and says so without a read. A claim drops it as it drops
-- any entry that names no pending job (the tombstone names no job at all).
-- Positions here are ranks counted from the tail: rank 0 is a list's newest entry.

local TOMBSTONE = '~'

local function isTombstone(entry)
  return string.sub(entry, 1, 1) == TOMBSTONE
end

-- The text of a level, as the priorities set and `readyEntryValid` spell it.
local function levelOf(job)
  return job.p == '' and '0' or job.p
end

-- When a pending job's ready entry entered its list.
local function readySince(job)
  return tonumber(job.e) or createdUs(job)
end

-- An entry's time and whether it is a job that listings show; the time is nil for an entry that
-- says nothing of its place (one left stale by a flexq before tombstones).
local function entryTime(entry, record, level)
  if isTombstone(entry) then return tonumber(string.sub(entry, 2)), false end
  if record and readyEntryValid(record, level) then return readySince(decodeJob(record)), true end
  return nil, false
end

-- The LINDEX / LSET index of a rank, counted from the nearer end (Redis seeks from that end too).
local function indexOfRank(len, rank)
  if rank < len / 2 then return -1 - rank end
  return len - 1 - rank
end

-- The time of the entry at `rank`; an entry that says nothing takes the time of the first older
-- entry that does (within a few), so times stay in order for the searches. 0 when none does.
local STALE_LOOKAHEAD = 8

local function timeAtRank(key, level, len, rank)
  local entry = redis.call('LINDEX', key, indexOfRank(len, rank))
  if not entry then return 0 end
  local time = entryTime(entry, not isTombstone(entry) and redis.call('HGET', JOBS, entry) or nil, level)
  if time then return time end
  local last = math.min(len - 1, rank + STALE_LOOKAHEAD)
  if last <= rank then return 0 end
  local older = redis.call('LRANGE', key, -1 - last, -2 - rank)
  for i = #older, 1, -1 do
    local e = older[i]
    time = entryTime(e, not isTombstone(e) and redis.call('HGET', JOBS, e) or nil, level)
    if time then return time end
  end
  return 0
end

-- The first rank in [lo, hi) whose entry is older than `t` (or no newer, with `orEqual`); hi when
-- none is. `gallop`: look near lo first (the end of a group of one time is usually near its start).
local function firstOlder(key, level, len, t, lo, hi, orEqual, gallop)
  local function older(rank)
    local time = timeAtRank(key, level, len, rank)
    if orEqual then return time <= t end
    return time < t
  end
  if gallop then
    local step = 1
    while lo + step < hi and not older(lo + step - 1) do
      lo = lo + step
      step = step * 2
    end
    hi = math.min(hi, lo + step)
  end
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if older(mid) then hi = mid else lo = mid + 1 end
  end
  return lo
end

-- The ranks [first, last) of a list's entries at exactly time `t`.
local function ranksAt(key, level, len, t)
  local first = firstOlder(key, level, len, t, 0, len, true)
  return first, firstOlder(key, level, len, t, first, len, false, true)
end

-- Where `id` sits among ranks [first, last) (entries of one time); nil when not found. A group of
-- one call's new jobs lists ascending ids (ids.ts), so a large group is searched by id; a smaller
-- one (promoted or put-back jobs, sorted otherwise) is read whole.
local GROUP_READ = 2000
-- Entries a probe of the id search reads past tombstones (which name no id) to find one that does.
local PROBE_READ = 128

-- The first entry naming a job at ranks [mid, hi), within PROBE_READ: its rank and id, or nil.
local function probeId(key, len, mid, hi)
  local entry = redis.call('LINDEX', key, indexOfRank(len, mid))
  if not isTombstone(entry) then return mid, entry end
  local last = math.min(hi, mid + PROBE_READ) - 1
  if last <= mid then return nil end
  -- Rank r is index -1 - r: ranks mid + 1 to last, read from the far end.
  local entries = redis.call('LRANGE', key, -1 - last, -2 - mid)
  for i = #entries, 1, -1 do
    if not isTombstone(entries[i]) then return mid + 1 + #entries - i, entries[i] end
  end
end

local function rankOfIdIn(key, len, id, first, last)
  if last - first > GROUP_READ then
    local lo, hi = first, last
    while lo < hi do
      local mid = math.floor((lo + hi) / 2)
      local rank, entry = probeId(key, len, mid, hi)
      if entry == id then return rank end
      -- Higher ranks are nearer the head, where the smaller ids of the group are. The ranks from
      -- mid to the probe's are tombstones, so a job whose id is above the probe's sits below mid.
      if not entry or entry < id then hi = mid else lo = rank + 1 end
    end
    first = math.max(first, lo - GROUP_READ / 2)
    last = math.min(last, first + GROUP_READ)
  end
  if last <= first then return nil end
  local entries = redis.call('LRANGE', key, -last, -1 - first)
  for i, entry in ipairs(entries) do
    if entry == id then return last - i end
  end
  return nil
end

-- Takes a pending job out of its level's list: its entry becomes a tombstone of the same time.
-- O(log n) for the search, plus at most GROUP_READ entries of its time. An entry not found (left
-- by an older flexq, or in a group too mixed to search) stays as it is: claims and listings pass
-- it by as stale, as they did before tombstones.
local function retireReadyEntry(job, id)
  local level, group = levelOf(job), groupOf(job)
  if group ~= '' then redis.call('ZREM', BASE .. GROUPED_PENDING, id) end
  local key = readyKey(level, group)
  local len = redis.call('LLEN', key)
  local t = readySince(job)
  if len == 0 or not t then return end
  local first, last = ranksAt(key, level, len, t)
  local rank = rankOfIdIn(key, len, id, first, last)
  if rank then redis.call('LSET', key, indexOfRank(len, rank), TOMBSTONE .. whole(t)) end
end

-- Makes a job pending to be put back at the head of its level: its time is its created time, or
-- the head's if that is earlier, so the list stays in time order (and a listing shows it as the
-- oldest there, which it is as far as running goes). Jobs of one call go to one level's head in
-- created order, each no later than the head before the call. `heads` keeps each list's head
-- time (0: empty) for the call: its lists are filed only after all its jobs are made pending.
local function makePendingAtHead(job, heads)
  makePending(job)
  local level = levelOf(job)
  local key = readyKey(level, groupOf(job))
  local head = heads[key]
  if head == nil then
    local len = redis.call('LLEN', key)
    head = len > 0 and timeAtRank(key, level, len, len - 1) or 0
    heads[key] = head
  end
  local at = createdUs(job)
  if head > 0 and (not at or head < at) then at = head end
  if at then job.e = whole(at) end
end
