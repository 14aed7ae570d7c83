-- Totals and per-minute history of finished jobs, kept by the scripts that finish jobs (needs lib).
-- One HASH `<base>totals`: `completed`, `failed` (counts since the queue was first used; retention
-- never lowers them), and `m<minute of the day>` (m0..m1439) -> `<minute since epoch>|<completed>|
-- <failed>`. A minute's field of the day before is overwritten when its minute comes round again,
-- so the hash holds at most 1,442 fields (24 h) however busy the queue. O(1) per call, not per job:
-- one HMGET and one HSET (commands the ACL recipe already grants, so an upgrade needs no new rule).
local HISTORY_MINUTES = 1440

local function countFinished(completed, failed)
  if completed == 0 and failed == 0 then return end
  local key = BASE .. 'totals'
  local minute = whole(math.floor(nowUs / 60000000))
  local field = 'm' .. (tonumber(minute) % HISTORY_MINUTES)
  local stored = redis.call('HMGET', key, 'completed', 'failed', field)
  local at, c, f = string.match(stored[3] or '', '^(%d+)|(%d+)|(%d+)$')
  if at ~= minute then c, f = 0, 0 end
  redis.call('HSET', key,
    'completed', whole(count(stored[1]) + completed), 'failed', whole(count(stored[2]) + failed),
    field, minute .. '|' .. whole(c + completed) .. '|' .. whole(f + failed))
end
