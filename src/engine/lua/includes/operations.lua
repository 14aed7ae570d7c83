-- Helpers of the operators' scripts (retryJob, retryJobs, removeJob, cleanJobs; needs lib).
--
-- Bulk operations run as a series of calls, each over one chunk of a finished list, so that no
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
-- is the lease token, and must never repeat). The caller stages it, uncounts it from its finished
-- status (its list entry turns stale: see finished.lua) and files it in its ready list.
local function requeueFinished(job)
  makePending(job)
  job.a = ''
end

-- The rank a chunk starts at in a finished list walked oldest first: just past the cursor entry
-- (the last one a chunk before looked at). Trimming pops only at the head, so the cursor can only
-- have moved toward it: the binary search finds the first entry of its time, and the cursor is
-- among the entries of that time, which one call filed (a few hundred at most). If it is not there,
-- it was popped, and so was every entry before it: the chunk starts at the first entry of its time.
-- O(log n + one call's entries).
local function rankAfter(listKey, cursorUs, cursorId)
  if cursorId == '' then return 0 end
  local t = tonumber(cursorUs)
  local first = entriesBefore(listKey, t, false)
  local wanted = cursorUs .. ',' .. cursorId
  local rank = first
  while true do
    local entries = redis.call('LRANGE', listKey, rank, rank + 99)
    for i, entry in ipairs(entries) do
      if entry == wanted then return rank + i end
      if tonumber((entryParts(entry))) ~= t then return first end
    end
    if #entries < 100 then return first end
    rank = rank + 100
  end
end
