-- updateProgress: stores a running job's progress, only for the worker that holds its lease.
-- KEYS[1] base    `<prefix>:{<queue>}:`
-- KEYS[2] events  STREAM `<base>events`
-- ARGV[1] events max length
-- ARGV[2] job id
-- ARGV[3] lease token
-- ARGV[4] progress JSON
-- Returns 1 stored, 0 the lease is no longer held.

local eventsKey = KEYS[2]
local id = ARGV[2]
local job = loadJob(id)
if not leaseHeld(job, ARGV[3]) then return 0 end
local details = loadDetails(id)
details.g = ARGV[4]
saveDetails(id, details)
emit(eventsKey, ARGV[1], 'progress', {id}, ARGV[4])
flushEvents()
return 1
