-- markHandlerStop: notes on a job that the handler of one of its attempts is being stopped (its
-- signal aborted on cancel or timeout, and its isolated thread or process will be killed if it
-- does not return) or was killed, for consoles. Changes nothing else about the job.
-- KEYS[1] base    `<prefix>:{<queue>}:`
-- KEYS[2] events  STREAM `<base>events`
-- ARGV[1] events max length
-- ARGV[2] job id
-- ARGV[3] 'stopping' or 'killed'
-- ARGV[4] the attempt whose handler it is
-- Returns 1 noted, 0 when the job is gone (trimmed by retention). Errors on a malformed argument.

local eventsKey = KEYS[2]
local id, state = ARGV[2], ARGV[3]
if state ~= 'stopping' and state ~= 'killed' then error('flexq: markHandlerStop state must be stopping or killed, got ' .. state) end
local attempt = numberArg(4, 'attempt', 0, 1e9)
if redis.call('HEXISTS', JOBS, id) == 0 then return 0 end
local details = loadDetails(id)
details.k = state
details.ka = attempt
saveDetails(id, details)
emit(eventsKey, ARGV[1], state, {id})
flushEvents()
return 1
