-- removeJob: deletes a finished (completed, failed or cancelled) job: its record, details and
-- finished-set entry. O(log n).
-- KEYS[1] base        `<prefix>:{<queue>}:` (`op:<request id>` replies built from it)
-- KEYS[2] completed   ZSET `<base>completed`
-- KEYS[3] failed      ZSET `<base>failed`
-- KEYS[4] cancelled   ZSET `<base>cancelled`
-- KEYS[5] events      STREAM `<base>events`
-- ARGV[1] events max length
-- ARGV[2] job id
-- ARGV[3] request id (the same request sent again gets the first answer and changes nothing)
-- Returns {'OK', status it had} | {'NOT_FOUND'} | {'BAD_STATE', status}

local maxLen, id, requestId = ARGV[1], ARGV[2], ARGV[3]
local replay = opReplay(requestId)
if replay then return replay end
local job = loadJob(id)
if not job then return {'NOT_FOUND'} end
local finishedKey = ({[COMPLETED] = KEYS[2], [FAILED] = KEYS[3], [CANCELLED] = KEYS[4]})[job.s]
if not finishedKey then return {'BAD_STATE', STATUS_NAMES[job.s]} end
redis.call('ZREM', finishedKey, id)
deleteJobs({id})
emit(KEYS[5], maxLen, 'removed', {id}, STATUS_NAMES[job.s])
flushEvents()
return opRemember(requestId, {'OK', STATUS_NAMES[job.s]})
