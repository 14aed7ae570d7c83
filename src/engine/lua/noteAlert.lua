-- noteAlert: records what one host saw of an alert's condition and says whether this call is the
-- one to send a notice: the first call to see the condition hold once the cool-down since the last
-- firing notice has passed ('fire'), or the first to see it clear after a firing notice ('resolve').
-- Hosts that evaluate the same rule at the same time thus send one notice between them. O(1); a
-- call that changes nothing writes nothing.
-- KEYS[1] base   `<prefix>:{<alerts queue>}:` (`alert:<alert id>` STRING built from it: JSON of since,
--                sentAt, notified, rq, reply; it expires a day after the cool-down once nobody writes
--                it. A STRING written with SET PX needs no ACL rule the recipe lacks.)
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
local stored = redis.call('GET', key)
local state = stored and cjson.decode(stored) or {}
if state.rq == requestId and state.reply then return state.reply end
local since, sentAt, notified = state.since, tonumber(state.sentAt), state.notified == true

local reply
if holdsArg == '1' then
  local now = nowMs()
  local startedNow = not since
  since = since or whole(now)
  if not sentAt or now - sentAt >= coolDown then
    reply = {'fire', since}
    state.sentAt, state.notified = whole(now), true
  elseif startedNow then
    -- Firing again within the cool-down of the last notice: remembered, not sent (yet).
    reply = {'quiet', since}
    state.notified = false
  else
    return {'quiet', since}
  end
  state.since = since
else
  if not since then return {'quiet', ''} end
  reply = {notified and 'resolve' or 'quiet', since}
  state.since, state.notified = nil, nil
end
state.rq, state.reply = requestId, reply
redis.call('SET', key, cjson.encode(state), 'PX', whole(coolDown + DAY_MS))
return reply
