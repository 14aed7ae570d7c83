-- removeJob: deletes a finished (completed, failed or cancelled) job: its record and details.
-- Its finished list entry is left, stale, for trimming to pop (see includes/finished.lua). O(1).
-- KEYS[1] base        `<prefix>:{<queue>}:` (`op:<request id>` replies built from it)
-- KEYS[2] events      STREAM `<base>events`
-- ARGV[1] events max length
-- ARGV[2] job id
-- ARGV[3] request id (the same request sent again gets the first answer and changes nothing)
-- Returns {'OK', status it had} | {'NOT_FOUND'} | {'BAD_STATE', status}

local maxLen, id, requestId = ARGV[1], ARGV[2], ARGV[3]
local replay = opReplay(requestId)
if replay then return replay end
local job = loadJob(id)
if not job then return {'NOT_FOUND'} end
if job.s ~= COMPLETED and job.s ~= FAILED and job.s ~= CANCELLED then return {'BAD_STATE', STATUS_NAMES[job.s]} end
-- The count first: a write refused (an ACL without HINCRBY) must leave the job as it was.
unfileFinished(STATUS_NAMES[job.s], 1)
deleteJobs({id})
emit(KEYS[2], maxLen, 'removed', {id}, STATUS_NAMES[job.s])
flushEvents()
return opRemember(requestId, {'OK', STATUS_NAMES[job.s]})
