-- New jobs (needs lib): the record a new job is stored with, and how a resent call knows its own
-- jobs. addJobs and fireSchedule (a schedule's run) store jobs the same way through these.

-- A new pending job's record: no attempts, claims or entered time yet, run-at `runAt` ('' when
-- ready now: no run state at all), created now (nowMs() called first); `tail` is its record from
-- max attempts on, as codec.ts jobRecordTail makes it.
local function newJobHead(runAt)
  local run = runAt == '' and '' or (',,,' .. runAt)
  return PENDING .. run .. '|' .. nowCreated() .. '|'
end

local function newJobRecord(runAt, tail)
  return newJobHead(runAt) .. tail
end

-- A stored job under a new job's id is that job, stored by the same call sent before (its reply was
-- lost), when it has the same type and payload (its record from the type length on; the head and
-- priority change as the job moves on) and was created lately: a resend comes within seconds, an
-- older job is another one whose id collided. nowMs() must have been called.
local RESEND_WINDOW_US = 600 * 1000000

local function isResentJob(record, tail)
  local typeAndPayload = string.match(tail, '^[^|]*|[^|]*|[^|]*|[^|]*|(.*)$')
  if string.sub(record, -#typeAndPayload - 1) ~= '|' .. typeAndPayload then return false end
  return nowUs - (createdUs(decodeJob(record)) or 0) <= RESEND_WINDOW_US
end
