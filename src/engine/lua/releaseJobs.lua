-- releaseJobs: hands running jobs back to the queue, the interrupted attempt not counted: at once to
-- the head of their priority level (a forced shutdown), or after a delay (a worker that has no
-- handler for their type, while another worker of the queue has one).
-- KEYS[1] base        `<prefix>:{<queue>}:`
-- KEYS[2] priorities  ZSET `<base>priorities`
-- KEYS[3] delayed     ZSET `<base>delayed`
-- KEYS[4] active      ZSET `<base>active`
-- KEYS[5] wake        LIST `<base>wake`
-- KEYS[6] events      STREAM `<base>events`
-- ARGV[1] events max length
-- ARGV[2] delay ms before they may run again (0: ready at once, ahead of the rest of their level)
-- ARGV[3..] pairs of job id, lease token
-- Returns the number of jobs handed back (jobs no longer held are skipped: a resend changes nothing).
-- Errors (before any write) when the delay is out of range.

local prioritiesKey, delayedKey, activeKey, wakeKey, eventsKey = KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local delay = numberArg(2, 'delay', 0, 1e13)
local now = nowMs()
local ids, tokens = leasesFrom(3)
local held, heldJobs = {}, {}
for i, job in ipairs(loadJobs(ids)) do
  if leaseHeld(job, tokens[i]) then held[#held + 1], heldJobs[#heldJobs + 1] = ids[i], job end
end
if #held == 0 then return 0 end
-- In the order they were created, so the queue's FIFO order survives the hand-back.
held, heldJobs = sortForRun(held, heldJobs)
local levels, groups, batch, scheduled, heads = {}, {}, {}, {}, {}
for i, job in ipairs(heldJobs) do
  local attempts = count(job.a) - 1
  job.a = attempts > 0 and attempts or ''
  if delay > 0 then
    makePending(job)
    job.r = whole(now + delay)
    scheduled[#scheduled + 1] = now + delay
    scheduled[#scheduled + 1] = held[i]
  else
    -- Back at the head: no later in time than the head (see includes/ready-order.lua).
    makePendingAtHead(job, heads)
  end
  stage(batch, held[i], job)
  -- Every held job leaves processing; `groups` also files the ready ones in their lanes.
  levels[#levels + 1], groups[#groups + 1] = count(job.p), groupOf(job)
end
variadic('ZREM', activeKey, held, 1000)
saveJobs(batch)
leaveGroups(groups)
if delay > 0 then
  schedule(delayedKey, wakeKey, scheduled)
else
  fileReady(prioritiesKey, held, levels, true, groups)
  wake(wakeKey)
end
emit(eventsKey, ARGV[1], 'pending', held, 'released')
flushEvents()
return #held
