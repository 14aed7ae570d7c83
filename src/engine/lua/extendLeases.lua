-- extendLeases: renews the leases of a worker's running jobs and reports the ones it no longer
-- holds (cancelled, recovered by another worker, or gone), so the worker can abort their handlers.
-- KEYS[1] base    `<prefix>:{<queue>}:`
-- KEYS[2] active  ZSET `<base>active`
-- ARGV[1] lease ms
-- ARGV[2..] pairs of job id, lease token
-- Returns the ids whose lease is lost.

local activeKey = KEYS[2]
local deadline = nowMs() + tonumber(ARGV[1])
local ids, tokens = leasesFrom(2)
local held, lost = {}, {}
for i, job in ipairs(loadJobs(ids)) do
  if leaseHeld(job, tokens[i]) then
    held[#held + 1] = deadline
    held[#held + 1] = ids[i]
  else
    lost[#lost + 1] = ids[i]
  end
end
if #held > 0 then variadic('ZADD', activeKey, held, 1000) end
return lost
