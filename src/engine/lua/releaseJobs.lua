-- releaseJobs: hands running jobs back to the queue (forced shutdown): each goes to the head of its
-- priority level as `pending`, and the interrupted attempt is not counted.
-- KEYS[1] base        `<prefix>:{<queue>}:`
-- KEYS[2] priorities  ZSET `<base>priorities`
-- KEYS[3] active      ZSET `<base>active`
-- KEYS[4] wake        LIST `<base>wake`
-- KEYS[5] events      STREAM `<base>events`
-- ARGV[1] events max length
-- ARGV[2..] pairs of job id, lease token
-- Returns the number of jobs handed back (jobs no longer held are skipped).

local prioritiesKey, activeKey, wakeKey, eventsKey = KEYS[2], KEYS[3], KEYS[4], KEYS[5]
nowMs()
local ids, tokens = leasesFrom(2)
local released, levels, batch = {}, {}, {}
for i, job in ipairs(loadJobs(ids)) do
  if leaseHeld(job, tokens[i]) then
    local attempts = count(job.a) - 1
    job.a = attempts > 0 and attempts or ''
    makePending(job)
    stage(batch, ids[i], job)
    released[#released + 1] = ids[i]
    levels[#levels + 1] = count(job.p)
  end
end
if #released > 0 then
  variadic('ZREM', activeKey, released, 1000)
  saveJobs(batch)
  fileReady(prioritiesKey, released, levels, true)
  wake(wakeKey)
end
emit(eventsKey, ARGV[1], 'pending', released, 'released')
flushEvents()
return #released
