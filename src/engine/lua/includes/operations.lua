-- Helpers of the operators' scripts (retryJob, retryJobs, removeJob, cleanJobs; needs lib).
--
-- Bulk operations run as a series of calls, each over one chunk of a finished ZSET, so that no
-- call holds Redis for long. A chunk call that changed something keeps its reply for a minute under
-- `<base>op:<request id>`: the same call sent again (its reply lost with the connection) gets that
-- reply and changes nothing, so the caller's count stays right and no second chunk is taken.
local OP_REPLAY_MS = 60000

local function opReplay(requestId)
  local stored = redis.call('GET', BASE .. 'op:' .. requestId)
  return stored and cjson.decode(stored) or nil
end

local function opRemember(requestId, reply)
  redis.call('SET', BASE .. 'op:' .. requestId, cjson.encode(reply), 'PX', OP_REPLAY_MS)
  return reply
end

-- A job's type, from the tail of its record: `<type length>[,<group>]|<type><payload>`.
local function typeOf(job)
  local length, rest = string.match(job.tail, '^(%d+)[^|]*|(.*)$')
  return rest and string.sub(rest, 1, tonumber(length)) or ''
end

-- A failed or cancelled job made pending again with its attempts reset (the claim count stays: it
-- is the lease token, and must never repeat). The caller stages it, takes it off its finished
-- ZSET and files it in its ready list.
local function requeueFinished(job)
  makePending(job)
  job.a = ''
end

-- The rank a chunk starts at in a ZSET walked oldest first: just past the cursor member (the
-- last one a chunk before looked at and left in place). If the cursor is gone (removed meanwhile),
-- the first member of its score: members already passed are looked at again, which changes nothing.
-- O(log n).
local function rankAfter(key, cursorScore, cursorId)
  if cursorId == '' then return 0 end
  local rank = redis.call('ZRANK', key, cursorId)
  if rank then return rank + 1 end
  return redis.call('ZCOUNT', key, '-inf', '(' .. cursorScore)
end

