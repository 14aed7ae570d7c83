-- Totals and per-minute history of finished jobs, kept by the scripts that finish jobs (needs lib).
-- `<base>totals` HASH: completed, failed (counts since the queue was first used; retention
-- never lowers them). `<base>minutes` HASH: one field per minute of the day (0..1439) holding
-- `<minute since epoch>|<completed>|<failed>`; a field of an older day is overwritten when its
-- minute comes round again, so the history holds at most 1,440 fields (24 h) however busy the
-- queue. O(1) per call, not per job: two HINCRBYs, an HGET and an HSET.
local HISTORY_MINUTES = 1440

local function countFinished(completed, failed)
  if completed == 0 and failed == 0 then return end
  local totals = BASE .. 'totals'
  if completed > 0 then redis.call('HINCRBY', totals, 'completed', completed) end
  if failed > 0 then redis.call('HINCRBY', totals, 'failed', failed) end
  local minute = whole(math.floor(nowUs / 60000000))
  local slot = tonumber(minute) % HISTORY_MINUTES
  local minutes = BASE .. 'minutes'
  local at, c, f = string.match(redis.call('HGET', minutes, slot) or '', '^(%d+)|(%d+)|(%d+)$')
  if at ~= minute then c, f = 0, 0 end
  redis.call('HSET', minutes, slot, minute .. '|' .. (c + completed) .. '|' .. (f + failed))
end
