-- extendLeases: renews the leases of a worker's running jobs and reports the ones it no longer
-- holds (cancelled, recovered by another worker, or gone), so the worker can abort their handlers.
-- KEYS[1] base    `<prefix>:{<queue>}:`
-- KEYS[2] active  ZSET `<base>active`
-- ARGV[1] lease ms
-- ARGV[2..] pairs of job id, lease token
-- Returns the `job id, lease token` pairs of the leases lost, flat. Renewing twice is harmless, so a
-- resend needs no care. Errors (before any write) when the lease ms is out of range.

local activeKey = KEYS[2]
local deadline = nowMs() + numberArg(1, 'lease ms', 1, 1e12)
local ids, tokens = leasesFrom(2)
local held, lost = {}, {}
for i, job in ipairs(loadJobs(ids)) do
  if leaseHeld(job, tokens[i]) then
    held[#held + 1] = deadline
    held[#held + 1] = ids[i]
  else
    lost[#lost + 1] = ids[i]
    lost[#lost + 1] = tokens[i]
  end
end
if #held > 0 then variadic('ZADD', activeKey, held, 1000) end
return lost
