-- fireSchedule: adds the job of one run of a schedule. A tick is claimed by compare-and-set of the
-- schedule's next run time, in the same step as the job is added: however many workers try the
-- same tick, one adds its job and moves the next run on, the others find it moved (TAKEN).
-- KEYS[1] base          `<prefix>:{<queue>}:`
-- KEYS[2] priorities    ZSET `<base>priorities`
-- KEYS[3] wake          LIST `<base>wake`
-- KEYS[4] events        STREAM `<base>events`
-- KEYS[5] schedules     HASH `<base>schedules`
-- KEYS[6] scheduleNext  ZSET `<base>scheduleNext`
-- KEYS[7] scheduleRuns  HASH `<base>scheduleRuns`
-- ARGV[1] events max length
-- ARGV[2] schedule name
-- ARGV[3] the tick fired: the next run ms the caller read, or '' to run it now, off its ticks
-- ARGV[4] the next run ms after this tick ('' with ARGV[3] '')
-- ARGV[5] the definition JSON the caller computed the next run from
-- ARGV[6] the job's id
-- ARGV[7] the job's record from max attempts on (as addJobs takes it)
-- ARGV[8] the job's priority
-- Returns {'OK', created µs} when the job is stored (also when this very call was sent before:
-- its job exists, and nothing more is stored), {'ID_EXISTS'} when the id is another job's (nothing
-- is stored; the caller draws another), {'TAKEN'} when the tick was fired by another caller or the
-- schedule changed, {'EARLY', ms} when the tick is not due yet on Redis' clock, {'GONE'} when
-- there is no such schedule. Errors (before any write) on a malformed number.
-- The job is stored as addJobs stores a job ready now (lua/includes/new-jobs.lua).

local prioritiesKey, wakeKey, eventsKey = KEYS[2], KEYS[3], KEYS[4]
local schedulesKey, nextKey, runsKey = KEYS[5], KEYS[6], KEYS[7]
local maxLen, name, id, tail = ARGV[1], ARGV[2], ARGV[6], ARGV[7]
local tick = ARGV[3] ~= '' and numberArg(3, 'tick', 0, 1e15) or nil
local nextRun = tick and numberArg(4, 'next run', 0, 1e15) or nil
local priority = ARGV[8]
if not string.match(priority, '^%-?%d+$') then error('flexq: fireSchedule priority must be an integer, got ' .. priority) end
local now = nowMs()

-- A resend: the id is drawn by the caller, so its job, stored lately, is this call's own.
local stored = redis.call('HGET', JOBS, id)
if stored then
  if isResentJob(stored, tail) then return {'OK', whole(createdUs(decodeJob(stored)))} end
  return {'ID_EXISTS'}
end
local definition = redis.call('HGET', schedulesKey, name)
if not definition then return {'GONE'} end
if definition ~= ARGV[5] then return {'TAKEN'} end
if tick then
  local current = redis.call('ZSCORE', nextKey, name)
  if not current or tonumber(current) ~= tick then return {'TAKEN'} end
  if now < tick then return {'EARLY', whole(tick - now)} end
  redis.call('ZADD', nextKey, whole(nextRun), name)
end

-- Ready now: appended to its level as every new job is (its ready time is its created time).
saveJobs({id, newJobRecord('', tail)})
pushReady(prioritiesKey, {id}, priority, false)
wake(wakeKey)
local runs = redis.call('HGET', runsKey, name)
local state = runs and cjson.decode(runs) or {}
state.lastRunAt, state.lastJobId = now, id
redis.call('HSET', runsKey, name, cjson.encode(state))
emit(eventsKey, maxLen, 'added', {id}, 'schedule ' .. name)
flushEvents()
return {'OK', nowUsText}
