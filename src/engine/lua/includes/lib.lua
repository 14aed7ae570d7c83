-- Helpers shared by the queue scripts, at the top of flexq's function library (see
-- connection.ts): made once when Redis loads the library, not on every call. Every script takes
-- the queue's base `<prefix>:{<queue>}:` as KEYS[1]; the job store and the ready lists are built
-- from it, so every key carries the queue's hash tag (one cluster slot).
--
-- A job is one field of the HASH `<base>jobs`, id -> record, a record being
--   <status><run state>|created µs|max attempts|priority|delay ms|timeout ms|<type length>|<type><payload JSON>
-- with the run state `attempts,claims,entered µs,run-at ms`, left out whole while all four are
-- empty (a new job ready now: most waiting jobs), and created µs in base 36 (10 characters for 16
-- digits). Both keep a waiting job's record 12 characters shorter, which with a 100-byte payload
-- puts it in Redis's 128-byte allocation class rather than the 160-byte one. Read it with
-- decodeJob and createdUs, never by position.
-- One field per job, rather than a hash per job, is what keeps a waiting job small and lets a
-- batch of jobs be read and written with one HMGET and one HSET. Status is one letter (below); an
-- empty number means 0, an empty time means unset (an empty entered: the job has not moved since
-- it was created). `claims` counts the claims of the job and never goes down: it is the lease
-- token, so a worker whose lease ran out cannot record an outcome over a newer claim. Entered and
-- created are in µs, so jobs moved in the same ms keep their order. A finished job's entered is
-- when it finished (its processed or failed time: nothing else moves a job out of completed or
-- failed but a retry, which clears it). What a claim and a completion change comes first, so the
-- hot paths rewrite a short head and copy the rest (claimRecord, completeRecord) instead of
-- decoding every field.
-- Rare, larger values live in the HASH `<base>details`, id -> JSON object: x error, res result
-- JSON, g progress JSON, h the failed attempts. Most jobs never have any.

-- The call's keys and arguments and the keys built from them; begin() sets them as a call starts.
-- Redis runs one call at a time, so one set serves every function of the library.
local KEYS, ARGV, BASE, JOBS, DETAILS

-- The active ZSET (running jobs by lease deadline) always holds this member at +inf. Longer than
-- the 64 bytes Redis keeps in a compact listpack, it makes the set a skiplist from its first ZADD:
-- a set of a few dozen running jobs would otherwise be a listpack, scanned in full on every
-- insert and removal, which was a sixth of a busy worker's Redis time. Counts and ranges of
-- running jobs read scores below +inf only.
local ACTIVE_ANCHOR = 'flexq: this member keeps the active set a skiplist, see lua/includes/lib.lua'

local PENDING, PROCESSING, RETRYING, COMPLETED, FAILED, CANCELLED = 'p', 'a', 'r', 'c', 'f', 'x'
local STATUS_NAMES = {
  p = 'pending', a = 'processing', r = 'retrying', c = 'completed', f = 'failed', x = 'cancelled',
}

-- Set by nowMs(), which every script calls once before it writes a time. The text forms are
-- made once per call: formatting numbers per job is a large part of a script's cost.
local nowUs, nowUsText, nowMsText, nowCreatedText = 0, '0', '0', nil

-- Base-36 digit pairs, '00' to 'zz' by value, made by the first call that needs them (the
-- standard libraries are not there while Redis loads a library).
local DIGITS36 = '0123456789abcdefghijklmnopqrstuvwxyz'
local PAIRS36

-- A whole number below 2^53 in base 36, ten digits (a record's created µs: ten until 2085, then
-- eleven), five pairs and one concatenation: a fifth of the cost of a digit at a time. n / 1296
-- cannot round up to the next whole number below 2^53 (the fraction is at most 1295/1296, and a
-- double's spacing there is under 1/2048), so each remainder is exact.
local function base36(n)
  if not PAIRS36 then
    PAIRS36 = {}
    for i = 0, 1295 do
      local high, low = math.floor(i / 36), i % 36
      PAIRS36[i] = string.sub(DIGITS36, high + 1, high + 1) .. string.sub(DIGITS36, low + 1, low + 1)
    end
  end
  local r1 = n % 1296
  local q1 = (n - r1) / 1296
  local r2 = q1 % 1296
  local q2 = (q1 - r2) / 1296
  local r3 = q2 % 1296
  local q3 = (q2 - r3) / 1296
  local r4 = q3 % 1296
  local q4 = (q3 - r4) / 1296
  local r5 = q4 % 1296
  local q5 = (q4 - r5) / 1296
  local head = q5 > 0 and string.sub(DIGITS36, q5 + 1, q5 + 1) or ''
  return head .. PAIRS36[r5] .. PAIRS36[r4] .. PAIRS36[r3] .. PAIRS36[r2] .. PAIRS36[r1]
end

local function nowMs()
  local t = redis.call('TIME')
  local us = tonumber(t[2])
  nowUs = tonumber(t[1]) * 1000000 + us
  nowUsText = t[1] .. string.format('%06d', us)
  nowMsText = t[1] .. string.format('%03d', math.floor(us / 1000))
  nowCreatedText = nil
  return math.floor(nowUs / 1000)
end

-- Now as a new record's created time: made only by the calls that create jobs.
local function nowCreated()
  nowCreatedText = nowCreatedText or base36(nowUs)
  return nowCreatedText
end

-- Whole numbers in full: tostring() would print 13-digit ms times in exponent form. Hot paths
-- pass Redis text, not Lua numbers, where they can: Redis formats each number argument anew.
local function whole(number)
  return string.format('%.0f', number)
end

-- The head fields, then the rest: `<type length>|<type><payload>` (spelled out: the standard
-- libraries are not there while Redis loads a library).
local RECORD = '^(%a)([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|(.*)$'
local RUN_STATE = '^([^,]*),([^,]*),([^,]*),(.*)$'

local function decodeJob(record)
  local s, run, c, m, p, w, o, tail = string.match(record, RECORD)
  local a, q, e, r = '', '', '', ''
  if run and run ~= '' then a, q, e, r = string.match(run, RUN_STATE) end
  return {s = s, a = a, q = q, e = e, r = r, c = c, m = m, p = p, w = w, o = o, tail = tail}
end

local function encodeJob(j)
  local run = (j.a == '' and j.q == '' and j.e == '' and j.r == '') and '' or (j.a .. ',' .. j.q .. ',' .. j.e .. ',' .. j.r)
  return table.concat({j.s .. run, j.c, j.m, j.p, j.w, j.o, j.tail}, '|')
end

-- When a decoded job was created, in µs (nil for a malformed record, as tonumber gives).
local function createdUs(job)
  return job.c and tonumber(job.c, 36)
end

-- The hot paths. A claim only rewrites status and run state of a ready job (pending, no run-at,
-- at the list entry's level: see readyEntryValid in ready-lists.lua, matched here in the same
-- pass); returns the new record (nil for a stale entry) and the claims before this one. A new job
-- (no run state) is the usual kind, so it is matched first.
local NEW_CLAIMABLE = '^' .. PENDING .. '|([^|]*|[^|]*|(%-?%d*)|.*)$'
local CLAIMABLE = '^' .. PENDING .. '(%d*),(%d*),%d*,|([^|]*|[^|]*|(%-?%d*)|.*)$'

-- Attempts and claims are small numbers; looking their successor up spares a number-to-text
-- conversion (sprintf) per count, a visible part of a claim's cost.
local SUCCESSOR = {
  [''] = '1', ['0'] = '1', ['1'] = '2', ['2'] = '3', ['3'] = '4', ['4'] = '5', ['5'] = '6', ['6'] = '7',
  ['7'] = '8', ['8'] = '9', ['9'] = '10', ['10'] = '11', ['11'] = '12', ['12'] = '13',
}

local function successor(countText)
  return SUCCESSOR[countText] or ((tonumber(countText) or 0) + 1)
end

local function claimRecord(record, level)
  local attempts, claims, rest, priority = '', '', string.match(record, NEW_CLAIMABLE)
  if not rest then attempts, claims, rest, priority = string.match(record, CLAIMABLE) end
  if not rest or (priority == '' and '0' or priority) ~= level then return nil end
  local token = successor(claims)
  return PROCESSING .. successor(attempts) .. ',' .. token .. ',' .. nowUsText .. ',|' .. rest, claims, token
end

-- A running job's record as completed now, or nil unless it is running under lease `token`.
local RUNNING = '^' .. PROCESSING .. '(%d*),(%d*),%d*,|(.*)$'

local function completeRecord(record, token)
  local attempts, claims, rest = string.match(record, RUNNING)
  if claims ~= token then return nil end
  return COMPLETED .. attempts .. ',' .. claims .. ',' .. nowUsText .. ',|' .. rest
end

local function count(value)
  return tonumber(value) or 0
end

-- A numeric argument, checked before a script's first write: scripts do not roll back, so a bad
-- value found halfway would leave a half-written state. NaN fails `value == value`.
local function numberArg(i, name, min, max)
  local value = tonumber(ARGV[i])
  if not value or value ~= value or value < min or value > max then
    error('flexq: ARGV[' .. i .. '] ' .. name .. ' must be a number from ' .. min .. ' to ' .. max .. ', got ' .. tostring(ARGV[i]))
  end
  return value
end

-- Whether a decoded job is still running under lease `token` (its claim count).
local function leaseHeld(job, token)
  return job and job.s == PROCESSING and job.q == token
end

-- The `job id, lease token` pairs in ARGV from `first` on, as two lists.
local function leasesFrom(first)
  local ids, tokens = {}, {}
  for i = first, #ARGV, 2 do
    ids[#ids + 1] = ARGV[i]
    tokens[#tokens + 1] = ARGV[i + 1]
  end
  return ids, tokens
end

-- Appends values to a list (a multiple assignment to `t[#t + 1]` would write one slot).
local function push(t, ...)
  for _, value in ipairs({...}) do t[#t + 1] = value end
end

-- Runs a variadic command over `values` in slices of `step` (even for pairs): Lua's unpack()
-- cannot spread more than a few thousand values at once. Returns array replies (HMGET's)
-- concatenated; a single slice's reply as it came, not copied (the usual case, on every claim).
local function variadic(command, key, values, step)
  local n = #values
  if n == 0 then return {} end
  if n <= step then
    local reply = redis.call(command, key, unpack(values))
    return type(reply) == 'table' and reply or {}
  end
  local replies = {}
  for i = 1, #values, step do
    local reply = redis.call(command, key, unpack(values, i, math.min(i + step - 1, #values)))
    if type(reply) == 'table' then
      for _, value in ipairs(reply) do replies[#replies + 1] = value end
    end
  end
  return replies
end

-- The decoded jobs of `ids`, in order (false for an id with no job).
local function loadJobs(ids)
  local records = variadic('HMGET', JOBS, ids, 1000)
  local jobs = {}
  for i = 1, #ids do jobs[i] = records[i] and decodeJob(records[i]) or false end
  return jobs
end

local function loadJob(id)
  local record = redis.call('HGET', JOBS, id)
  return record and decodeJob(record) or nil
end

-- Collects jobs to write back with one HSET: `batch` is a flat id, record list.
local function stage(batch, id, job)
  batch[#batch + 1] = id
  batch[#batch + 1] = encodeJob(job)
end

local function saveJobs(batch)
  if #batch > 0 then variadic('HSET', JOBS, batch, 1000) end
end

-- Deletes jobs and their details outright.
local function deleteJobs(ids)
  if #ids == 0 then return end
  variadic('HDEL', JOBS, ids, 1000)
  variadic('HDEL', DETAILS, ids, 1000)
end

local function loadDetails(id)
  local stored = redis.call('HGET', DETAILS, id)
  return stored and cjson.decode(stored) or {}
end

local function saveDetails(id, details)
  redis.call('HSET', DETAILS, id, cjson.encode(details))
end

-- One marker at most: idle workers block on it, and each woken worker passes it on if work remains.
local function wake(wakeKey)
  if redis.call('LLEN', wakeKey) == 0 then
    redis.call('RPUSH', wakeKey, '1')
  end
end

-- The events of one call are written as one stream entry at its end (flushEvents), one field
-- per event: `<event>` -> the ids it touched, comma-separated, `<event>#` -> how many when there
-- are more than 50 (MAXLEN counts entries, not bytes: this keeps the feed's memory bounded), and
-- `<event>!` -> a detail. One entry per call also makes a consumer's view of a call atomic.
local EVENT_IDS = 50
local EVENT_DETAIL = 200
local eventFields, eventsTarget

local function emit(eventsKey, maxLen, event, ids, extra)
  if #ids == 0 then return end
  eventsTarget = {eventsKey, maxLen}
  eventFields[#eventFields + 1] = event
  eventFields[#eventFields + 1] = table.concat(ids, ',', 1, math.min(#ids, EVENT_IDS))
  if #ids > EVENT_IDS then
    eventFields[#eventFields + 1] = event .. '#'
    eventFields[#eventFields + 1] = #ids
  end
  if extra then
    eventFields[#eventFields + 1] = event .. '!'
    -- A detail (a progress value, say) is a hint for consoles: capped, so MAXLEN bounds memory.
    eventFields[#eventFields + 1] = string.sub(extra, 1, EVENT_DETAIL)
  end
end

local function flushEvents()
  if not eventsTarget then return end
  redis.call('XADD', eventsTarget[1], 'MAXLEN', '~', eventsTarget[2], '*', unpack(eventFields))
end

-- Stores a failed attempt's error and appends it to the job's history (the last 10 are kept).
-- Successful attempts add nothing, so the common path pays nothing for it.
local HISTORY_KEPT = 10

local function recordFailedAttempt(id, job, outcome, err, now)
  local details = loadDetails(id)
  local history = details.h or {}
  history[#history + 1] = {a = count(job.a), o = outcome, x = err, t = now}
  while #history > HISTORY_KEPT do table.remove(history, 1) end
  details.x, details.h = err, history
  saveDetails(id, details)
end

-- Replies of operations on one job (cancel, retry, set priority) that a client may send twice: the
-- last request id that changed the job is kept in its details with its reply, so the same request
-- sent again (a resend after a lost reply) gets the same answer and changes nothing.
local function replayOf(details, requestId)
  local done = details.rq
  if done and string.sub(done, 1, #requestId + 1) == requestId .. '|' then
    return string.sub(done, #requestId + 2)
  end
end

local function rememberReply(details, requestId, reply)
  details.rq = requestId .. '|' .. reply
end

-- Ends a job's current status; the caller files it in its finished list (fileFinished), whose
-- entry carries the same µs time. Its entered time is also its processed or failed time.
local function finishJob(job, status)
  job.s, job.e, job.r = status, nowUsText, ''
end

-- Starts a call: its keys and arguments, and no events yet.
local function begin(keys, args)
  KEYS, ARGV = keys, args
  BASE = KEYS[1]
  JOBS, DETAILS = BASE .. 'jobs', BASE .. 'details'
  eventFields, eventsTarget = {}, nil
end
