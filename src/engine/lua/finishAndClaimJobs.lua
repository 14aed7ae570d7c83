-- finishAndClaimJobs: records outcomes (as finishJobs) and then claims (as claimJobs) in one step,
-- so a busy worker pays one round trip per batch.
-- KEYS[1]  base        `<prefix>:{<queue>}:`
-- KEYS[2]  priorities  ZSET `<base>priorities`
-- KEYS[3]  delayed     ZSET `<base>delayed`
-- KEYS[4]  retrying    ZSET `<base>retrying`
-- KEYS[5]  active      ZSET `<base>active`
-- KEYS[6]  completed   ZSET `<base>completed`
-- KEYS[7]  failed      ZSET `<base>failed`
-- KEYS[8]  wake        LIST `<base>wake`
-- KEYS[9]  events      STREAM `<base>events`
-- KEYS[10] paused      STRING `<base>paused`
-- ARGV[1] events max length
-- ARGV[2..6] claim: jobs wanted, lease ms, upkeep limit, request slot, request sequence (as claimJobs)
-- ARGV[7..11] retention (as finishJobs ARGV[2..6])
-- ARGV[12…] outcomes (as finishJobs ARGV[7…])
-- Returns {{flag per outcome}, claim reply (as claimJobs)}.
-- Errors (before any write) when a number argument is out of range.

local k = {
  priorities = KEYS[2], delayed = KEYS[3], retrying = KEYS[4], active = KEYS[5], completed = KEYS[6],
  failed = KEYS[7], wake = KEYS[8], events = KEYS[9], paused = KEYS[10],
}
local claim = claimArgs(2)
local keep = retentionArgs(7)
local now = nowMs()
local recorded = recordOutcomes(k, ARGV[1], keep, 12, now)
local claimed = claimJobs(k, ARGV[1], keep, claim, now)
flushEvents()
return {recorded, claimed}
