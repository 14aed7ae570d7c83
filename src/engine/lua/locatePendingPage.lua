-- locatePendingPage: where the page at `offset` of the pending jobs starts, for paging them by rank
-- (src/engine/pending-pages.ts reads the page from there with readPendingEntries); reads only.
-- Pending jobs are the entries of every lane's level's ready list (each in time order, see
-- includes/ready-order.lua) and the delayed jobs already due, newest first by the time they
-- became ready (a due delayed job: its run-at); ties go by level, highest first, the due ones
-- last, then by place in their list. Offsets count list entries, tombstones too (a page skips
-- them). The script searches for the time of the entry at `offset`: each round takes the middle
-- entry of the widest bracket of ranks still in question as a pivot, counts what is newer in
-- every source by binary search, and narrows every bracket. O(sources × log² n) in all; a call
-- stops once it has run its time budget (between two sources' counts) and hands its state back,
-- so no call holds Redis long however many levels are in use.
-- KEYS[1] base        `<prefix>:{<queue>}:` (the ready lists `<base>ready:<level>` are built from it)
-- KEYS[2] priorities  ZSET `<base>priorities`
-- KEYS[3] delayed     ZSET `<base>delayed`
-- ARGV[1] now ms: delayed jobs due by then are pending ('' on the first call: Redis's clock)
-- ARGV[2] offset
-- ARGV[3] time budget µs of the call (0: hand back after every count)
-- ARGV[4] the pivot time µs of a round under way ('' for none)
-- ARGV[5..] the state a previous call handed back, per source: source, lo, hi (ranks from the
--         newest), and its counts for the pivot if done ('' otherwise): newer, no older
-- A source is a level (its ready list), `grouped` (the fair groups' ready jobs, a ZSET by time:
-- see includes/ready-lists.lua) or `due` (the due delayed jobs).
-- Returns {'more', now, pivot, <state as above>…} to be called again with those, or
-- {'found', now, total entries, source, entries, start rank, …}: the page is the merge of the
-- sources from their start ranks on.

local prioritiesKey, delayedKey = KEYS[2], KEYS[3]
local offset = numberArg(2, 'offset', 0, 1e12)
local clock = nowMs()
local nowText = whole(ARGV[1] ~= '' and numberArg(1, 'now', 0, 1e15) or clock)
local budget = numberArg(3, 'budget', 0, 1e6)
-- Redis's time when the call started, in µs: the call hands back once it has run `budget` µs.
local started = nowUs

local sources, total = {}, 0
for _, level in ipairs(redis.call('ZREVRANGE', prioritiesKey, 0, -1)) do
  local key = readyKey(level)
  sources[#sources + 1] = {name = level, level = level, key = key, len = redis.call('LLEN', key)}
end
local groupedKey = BASE .. GROUPED_PENDING
local grouped = redis.call('ZCARD', groupedKey)
if grouped > 0 then sources[#sources + 1] = {name = 'grouped', len = grouped} end
sources[#sources + 1] = {name = 'due', len = redis.call('ZCOUNT', delayedKey, '-inf', nowText)}
local byName = {}
for _, s in ipairs(sources) do
  s.lo, s.hi = 0, s.len
  byName[s.name] = s
  total = total + s.len
end
local pivot = tonumber(ARGV[4])
for i = 5, #ARGV - 4, 5 do
  local s = byName[ARGV[i]]
  if s then
    s.lo = math.min(math.max(tonumber(ARGV[i + 1]) or 0, 0), s.len)
    s.hi = math.min(math.max(tonumber(ARGV[i + 2]) or s.len, s.lo), s.len)
    s.newer, s.noOlder = tonumber(ARGV[i + 3]), tonumber(ARGV[i + 4])
  end
end
-- A source that came or changed since the round began is counted again.
for _, s in ipairs(sources) do
  if s.newer and not (s.lo <= s.newer and s.newer <= (s.noOlder or s.newer) and (s.noOlder or s.newer) <= s.hi) then
    s.newer, s.noOlder = nil, nil
  end
  if not s.newer then s.noOlder = nil end
end

local function found(starts)
  local reply = {'found', nowText, total}
  for i, s in ipairs(sources) do push(reply, s.name, s.len, starts[i]) end
  return reply
end

local function more()
  local reply = {'more', nowText, pivot and whole(pivot) or ''}
  for _, s in ipairs(sources) do push(reply, s.name, s.lo, s.hi, s.newer or '', s.noOlder or '') end
  return reply
end

local function spent()
  nowMs()
  return nowUs - started >= budget
end

if offset == 0 or offset >= total then
  local starts = {}
  for i = 1, #sources do starts[i] = 0 end
  return found(starts)
end

-- Due delayed jobs (scored in ms) and grouped ready jobs (in µs) by rank from the newest: ZSET
-- index len - 1 - rank (no delayed job past `due` is in the due source's ranks); time in µs.
local function timeAt(s, rank)
  if s.level then return timeAtRank(s.key, s.level, s.len, rank) end
  local key, scale = delayedKey, 1000
  if s.name == 'grouped' then key, scale = groupedKey, 1 end
  return tonumber(redis.call('ZRANGE', key, s.len - 1 - rank, s.len - 1 - rank, 'WITHSCORES')[2]) * scale
end

-- How many entries of a source are newer than `t` (or, with `orEqual`, no older): its first
-- rank past them, within its bracket.
local function countNewer(s, t, orEqual)
  local from = orEqual and s.newer or s.lo
  if from >= s.hi then return from end
  if s.name == 'grouped' then
    return redis.call('ZCOUNT', groupedKey, string.format(orEqual and '%.0f' or '(%.0f', t), '+inf')
  end
  if not s.level then
    return redis.call('ZCOUNT', delayedKey, string.format(orEqual and '%.3f' or '(%.3f', t / 1000), nowText)
  end
  -- Entries of the pivot's time are usually few after the newer ones: gallop to their end.
  return firstOlder(s.key, s.level, s.len, t, from, s.hi, not orEqual, orEqual)
end

-- Counts every source for the pivot (newer, or with `orEqual` no older), stopping when the budget
-- is spent; the sum, or nil when stopped.
local function countAll(field, orEqual)
  local sum = 0
  for _, s in ipairs(sources) do
    if not s[field] then
      s[field] = countNewer(s, pivot, orEqual)
      if spent() then return nil end
    end
    sum = sum + s[field]
  end
  return sum
end

while true do
  if not pivot then
    local widest
    for _, s in ipairs(sources) do
      s.newer, s.noOlder = nil, nil
      if s.hi > s.lo and (not widest or s.hi - s.lo > widest.hi - widest.lo) then widest = s end
    end
    local starts = {}
    if not widest then
      -- Only when times were out of order (a clock that went back): start where the brackets do.
      for i, s in ipairs(sources) do starts[i] = s.lo end
      return found(starts)
    end
    pivot = timeAt(widest, math.floor((widest.lo + widest.hi) / 2))
  end
  local newerSum = countAll('newer', false)
  if not newerSum then return more() end
  -- More than `offset` entries are newer than the pivot: the page starts newer; no need to count ties.
  local noOlderSum = newerSum
  if newerSum <= offset then
    noOlderSum = countAll('noOlder', true)
    if not noOlderSum then return more() end
  end
  if newerSum <= offset and offset < noOlderSum then
    -- The entry at `offset` is of the pivot's time: skip the entries of that time before it, by source order.
    local skip, starts = offset - newerSum, {}
    for i, s in ipairs(sources) do
      local take = math.min(s.noOlder - s.newer, skip)
      starts[i] = s.newer + take
      skip = skip - take
    end
    return found(starts)
  end
  for _, s in ipairs(sources) do
    if newerSum > offset then s.hi = s.newer else s.lo = s.noOlder end
  end
  pivot = nil
end
