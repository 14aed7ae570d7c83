-- readPendingEntries: entries of the pending sources from given ranks on, with their times, for
-- merging into a page (src/engine/pending-pages.ts); reads only. O(log n + entries read).
-- KEYS[1] base        `<prefix>:{<queue>}:` (the ready lists `<base>ready:<level>` are built from it)
-- KEYS[2] priorities  ZSET `<base>priorities` (unread; named so the call carries the queue's slot)
-- KEYS[3] delayed     ZSET `<base>delayed`
-- ARGV[1] now ms: delayed jobs due by then are pending
-- ARGV[2..] triples: source (a level, `grouped` for the fair groups' ready jobs, or `due` for the
--           due delayed jobs), first rank (0: the newest entry), how many entries
-- Returns, per triple, the number n of entries read, then n times: entry (a job id or a
-- tombstone), time µs, 1 when it is a pending job to show, else 0.

local delayedKey = KEYS[3]
local nowText = whole(numberArg(1, 'now', 0, 1e15))
local reply = {}

local function readList(level, first, n)
  local key = readyKey(level)
  local len = redis.call('LLEN', key)
  local last = math.min(first + n, len)
  if last <= first then return {}, {}, {} end
  local entries = redis.call('LRANGE', key, -last, -1 - first)
  local ids, found = {}, {}
  for _, entry in ipairs(entries) do
    if not isTombstone(entry) then ids[#ids + 1] = entry end
  end
  for i, record in ipairs(variadic('HMGET', JOBS, ids, 1000)) do found[ids[i]] = record end
  -- Newest first; an entry that says nothing of its place takes the time of the next that does.
  local out, times, valid, k = {}, {}, {}, 0
  for i = #entries, 1, -1 do
    local entry = entries[i]
    local time, shown = entryTime(entry, found[entry], level)
    k = k + 1
    out[k], times[k], valid[k] = entry, time or false, shown
  end
  local older = false
  for i = k, 1, -1 do
    if times[i] then older = times[i] else times[i] = older end
  end
  -- None older in this read: the newer neighbour's time, so it does not hold its source back.
  local newer = 0
  for i = 1, k do
    if times[i] then newer = times[i] else times[i] = newer end
  end
  return out, times, valid
end

-- Entries of a ZSET source from rank `first` (0: the newest of its first `len` members), newest
-- first; `scale` turns a score into µs.
local function readScored(key, len, scale, first, n)
  local top, bottom = len - 1 - first, math.max(0, len - first - n)
  if top < bottom then return {}, {}, {} end
  local scored = redis.call('ZRANGE', key, bottom, top, 'WITHSCORES')
  local ids = {}
  for i = 1, #scored, 2 do ids[#ids + 1] = scored[i] end
  local jobs = loadJobs(ids)
  local out, times, valid, k = {}, {}, {}, 0
  for i = #ids, 1, -1 do
    k = k + 1
    out[k], times[k], valid[k] = ids[i], tonumber(scored[2 * i]) * scale, jobs[i] and jobs[i].s == PENDING or false
  end
  return out, times, valid
end

local function readDue(first, n)
  return readScored(delayedKey, redis.call('ZCOUNT', delayedKey, '-inf', nowText), 1000, first, n)
end

local function readGrouped(first, n)
  local key = BASE .. GROUPED_PENDING
  return readScored(key, redis.call('ZCARD', key), 1, first, n)
end

for i = 2, #ARGV - 2, 3 do
  local first = numberArg(i + 1, 'first rank', 0, 1e12)
  local n = numberArg(i + 2, 'entries', 0, 10000)
  local out, times, valid
  if ARGV[i] == 'due' then
    out, times, valid = readDue(first, n)
  elseif ARGV[i] == 'grouped' then
    out, times, valid = readGrouped(first, n)
  else
    out, times, valid = readList(ARGV[i], first, n)
  end
  reply[#reply + 1] = #out
  for j = 1, #out do
    push(reply, out[j], times[j], valid[j] and 1 or 0)
  end
end
return reply
