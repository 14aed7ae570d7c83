-- setPaused: pauses (workers claim nothing) or resumes a queue; running jobs are not touched.
-- KEYS[1] base    `<prefix>:{<queue>}:`
-- KEYS[2] paused  STRING `<base>paused`
-- KEYS[3] wake    LIST `<base>wake`
-- KEYS[4] events  STREAM `<base>events`
-- ARGV[1] events max length
-- ARGV[2] '1' to pause, '0' to resume
-- Returns 1 when the state changed, 0 when it already was so.

local pausedKey, wakeKey, eventsKey = KEYS[2], KEYS[3], KEYS[4]
local changed
if ARGV[2] == '1' then
  changed = redis.call('SET', pausedKey, '1', 'NX') and 1 or 0
else
  changed = redis.call('DEL', pausedKey)
  -- Idle workers sleep through a pause; wake one so the backlog starts moving.
  if changed == 1 then wake(wakeKey) end
end
if changed == 1 then
  redis.call('XADD', eventsKey, 'MAXLEN', '~', ARGV[1], '*', ARGV[2] == '1' and 'paused' or 'resumed', '')
end
return changed
