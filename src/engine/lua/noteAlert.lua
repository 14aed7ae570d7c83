-- noteAlert: records what one host saw of an alert's condition and says whether this call is the
-- one to send a notice: the first call to see the condition hold once the cool-down since the last
-- firing notice has passed ('fire'), or the first to see it clear after a firing notice ('resolve').
-- Hosts that evaluate the same rule at the same time thus send one notice between them. O(1); a
-- call that changes nothing writes nothing.
-- KEYS[1] base   `<prefix>:{<alerts queue>}:` (`alert:<alert id>` HASH built from it: since, sentAt,
--                notified, rq, reply; it expires a day after the cool-down once nobody writes it)
-- ARGV[1] alert id (`<rule name>:<queue name>`)
-- ARGV[2] '1' when the condition holds now, '0' when it does not
-- ARGV[3] cool-down ms: no second firing notice within this long of the last one
-- ARGV[4] request id (the same request sent again gets the first answer and changes nothing)
-- Returns {'fire' | 'resolve' | 'quiet', since}: since is the ms the firing began ('' when clear).

local DAY_MS = 86400000
local alertId, holdsArg, requestId = ARGV[1], ARGV[2], ARGV[4]
if holdsArg ~= '1' and holdsArg ~= '0' then
  error('flexq: ARGV[2] condition must be 1 or 0, got ' .. tostring(holdsArg))
end
local coolDown = numberArg(3, 'cool-down', 0, 365 * DAY_MS)
if alertId == '' or requestId == '' then error('flexq: ARGV[1] alert id and ARGV[4] request id must not be empty') end

local key = BASE .. 'alert:' .. alertId
local state = redis.call('HMGET', key, 'since', 'sentAt', 'notified', 'rq', 'reply')
if state[4] == requestId and state[5] then return cjson.decode(state[5]) end
local since, sentAt, notified = state[1], tonumber(state[2]), state[3] == '1'

local reply
if holdsArg == '1' then
  local now = nowMs()
  local startedNow = not since
  since = since or whole(now)
  if not sentAt or now - sentAt >= coolDown then
    reply = {'fire', since}
    redis.call('HSET', key, 'since', since, 'sentAt', whole(now), 'notified', '1')
  elseif startedNow then
    -- Firing again within the cool-down of the last notice: remembered, not sent (yet).
    reply = {'quiet', since}
    redis.call('HSET', key, 'since', since, 'notified', '0')
  else
    return {'quiet', since}
  end
else
  if not since then return {'quiet', ''} end
  reply = {notified and 'resolve' or 'quiet', since}
  redis.call('HDEL', key, 'since', 'notified')
end
redis.call('HSET', key, 'rq', requestId, 'reply', cjson.encode(reply))
redis.call('PEXPIRE', key, whole(coolDown + DAY_MS))
return reply
