-- setGroupConcurrency: sets or lifts the cap on the jobs of one fair group running at once, counted
-- across every worker everywhere (see includes/turns.lua). Running jobs are not touched: a group
-- held at the old cap comes back into the turns as soon as one of its running jobs ends.
-- KEYS[1] base    `<prefix>:{<queue>}:` (`<base>groupLimit` is built from it)
-- KEYS[2] wake    LIST `<base>wake`
-- ARGV[1] the cap (0 lifts it)
-- Returns 1 when the cap changed, 0 when it already was so (a resend changes nothing).
-- Errors (before any write) when the cap is not a whole number from 0 to 1000000.

local limit = numberArg(1, 'group concurrency', 0, 1e6)
if limit ~= math.floor(limit) then error('flexq: setGroupConcurrency needs a whole number, got ' .. ARGV[1]) end
local wanted = limit > 0 and whole(limit) or false
if (redis.call('GET', BASE .. GROUP_LIMIT) or false) == wanted then return 0 end
if wanted then
  redis.call('SET', BASE .. GROUP_LIMIT, wanted)
else
  redis.call('DEL', BASE .. GROUP_LIMIT)
end
-- An idle worker claims at once, in case the new cap lets more jobs start.
wake(KEYS[2])
return 1
