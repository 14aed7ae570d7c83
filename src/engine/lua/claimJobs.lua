-- claimJobs: promotes due jobs, recovers jobs whose lease ran out, then claims up to n ready jobs,
-- highest priority first and oldest first within a priority. The same request sent again (its reply
-- was lost) gets the jobs it leased the first time.
-- KEYS[1] base        `<prefix>:{<queue>}:` (job store, ready lists, `claimed:<slot>` from it)
-- KEYS[2] priorities  ZSET `<base>priorities`
-- KEYS[3] delayed     ZSET `<base>delayed`
-- KEYS[4] retrying    ZSET `<base>retrying`
-- KEYS[5] active      ZSET `<base>active`
-- KEYS[6] failed      ZSET `<base>failed`
-- KEYS[7] wake        LIST `<base>wake`
-- KEYS[8] events      STREAM `<base>events`
-- KEYS[9] paused      STRING `<base>paused`
-- ARGV[1] events max length
-- ARGV[2] jobs to claim at most (0 only runs the upkeep)
-- ARGV[3] lease ms
-- ARGV[4] upkeep limit: due jobs promoted and dead leases recovered per call, each
-- ARGV[5] request slot `<client id>:<n>` ('' when the caller needs no replay)
-- ARGV[6] request sequence number (tells a resend from a later request of the same slot)
-- ARGV[7..9] failed jobs' retention: max age ms, max count, removals per call
-- Returns {ms until the next due job or lease deadline (-1: none), {id, record, …},
-- {id, details JSON, …} of claimed jobs that have details, ms the rate limit holds the queue (-1:
-- not held), 1 when one of the claim's bounds (tombstones and stale entries cleared, lanes looked
-- at: see turns.lua) cut it short, so ready jobs may wait behind, else 0}; a record's claim count
-- is its lease token.
-- Errors (before any write) when a number argument is out of range.

local k = {
  priorities = KEYS[2], delayed = KEYS[3], retrying = KEYS[4], active = KEYS[5], failed = KEYS[6],
  wake = KEYS[7], events = KEYS[8], paused = KEYS[9],
}
local claim = claimArgs(2)
local keep = {
  failedAge = numberArg(7, 'failed max age', 0, 1e15), failedCount = numberArg(8, 'failed max count', 0, 1e12),
  removals = numberArg(9, 'removals', 0, 1e6),
}
local reply = claimJobs(k, ARGV[1], keep, claim, nowMs())
flushEvents()
return reply
