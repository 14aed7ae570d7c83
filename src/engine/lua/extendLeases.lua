-- extendLeases: renews the leases of a worker's running jobs and reports the ones it no longer
-- holds (cancelled, recovered by another worker, or gone), so the worker can abort their handlers.
-- KEYS[1] base    `<prefix>:{<queue>}:`
-- KEYS[2] active  ZSET `<base>active`
-- ARGV[1] lease ms
-- ARGV[2..] pairs of job id, lease token
-- Returns the ids whose lease is lost.
-- @include lib

local base, activeKey = KEYS[1], KEYS[2]
local deadline = nowMs() + tonumber(ARGV[1])
local lost = {}
for i = 2, #ARGV, 2 do
  local id, token = ARGV[i], ARGV[i + 1]
  local current = redis.call('HMGET', jobKey(base, id), 's', 'l')
  if current[1] == 'processing' and current[2] == token then
    redis.call('ZADD', activeKey, 'XX', deadline, id)
  else
    lost[#lost + 1] = id
  end
end
return lost
