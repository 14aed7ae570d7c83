-- Totals and per-minute history of finished jobs, kept with each finish (finished.lua; needs lib).
-- One HASH `<base>totals`: `completed`, `failed` (counts since the queue was first used; retention
-- never lowers them), and `m<minute of the day>` (m0..m1439) -> `<minute since epoch>|<completed>|
-- <failed>`. A minute's field of the day before is overwritten when its minute comes round again,
-- so the hash holds at most 1,442 fields (24 h) however busy the queue. O(1) per call, not per job:
-- read with the finish's HMGET of the totals and written with its HSET.
local HISTORY_MINUTES = 1440

-- This minute's field and the minute itself (since the epoch, as text).
local function historyField()
  local minute = whole(math.floor(nowUs / 60000000))
  return 'm' .. (tonumber(minute) % HISTORY_MINUTES), minute
end

-- The minute's field after adding to it: `stored` is its value, which may be a day old.
local function historyAdded(stored, minute, completed, failed)
  local at, c, f = string.match(stored or '', '^(%d+)|(%d+)|(%d+)$')
  if at ~= minute then c, f = 0, 0 end
  return minute .. '|' .. whole(c + completed) .. '|' .. whole(f + failed)
end
