-- finishJobs: records the outcomes of finished attempts (see includes/outcomes.lua for why a
-- stale worker's outcome is ignored).
-- KEYS[1] base        `<prefix>:{<queue>}:`
-- KEYS[2] active      ZSET `<base>active`
-- KEYS[3] retrying    ZSET `<base>retrying`
-- KEYS[4] completed   ZSET `<base>completed`
-- KEYS[5] failed      ZSET `<base>failed`
-- KEYS[6] wake        LIST `<base>wake`
-- KEYS[7] events      STREAM `<base>events`
-- ARGV[1] events max length
-- ARGV[2..6] retention: completed max age ms, completed max count, failed max age ms,
--            failed max count, removals per call
-- ARGV[7] completions without a result, packed: `id,token,id,token…` ('' for none)
-- ARGV[8] number of other outcomes n; then 5 values per outcome:
--         id, lease token, 'completed' | 'retrying' | 'failed', result JSON or error, retry delay ms
-- Returns one flag per outcome, packed ones first: 1 recorded (now or by the same call before), 0
-- stale or malformed (ignored). Errors (before any write) when a retention argument is out of range.

local k = {
  active = KEYS[2], retrying = KEYS[3], completed = KEYS[4], failed = KEYS[5],
  wake = KEYS[6], events = KEYS[7],
}
local keep = retentionArgs(2)
local recorded = recordOutcomes(k, ARGV[1], keep, 7, nowMs())
flushEvents()
return recorded
