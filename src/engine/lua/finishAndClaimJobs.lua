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
-- ARGV[2] jobs to claim at most
-- ARGV[3] lease ms
-- ARGV[4] upkeep limit (as claimJobs)
-- ARGV[5..9] retention (as finishJobs ARGV[2..6])
-- ARGV[10…] outcomes (as finishJobs ARGV[7…])
-- Returns {{flag per outcome}, claim reply (as claimJobs)}

local k = {
  priorities = KEYS[2], delayed = KEYS[3], retrying = KEYS[4], active = KEYS[5], completed = KEYS[6],
  failed = KEYS[7], wake = KEYS[8], events = KEYS[9], paused = KEYS[10],
}
local keep = {
  completedAge = tonumber(ARGV[5]), completedCount = tonumber(ARGV[6]),
  failedAge = tonumber(ARGV[7]), failedCount = tonumber(ARGV[8]), removals = tonumber(ARGV[9]),
}
local now = nowMs()
local recorded = recordOutcomes(k, ARGV[1], keep, 10, now)
local claimed = claimJobs(k, ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), now)
flushEvents()
return {recorded, claimed}
