-- Taking ready jobs off the lanes (needs lib, ready-lists): one lane's levels highest first, or,
-- in a queue that has seen groups, the lanes in turn (see ready-lists.lua for lanes and turns).

-- Per-group concurrency (`setGroupConcurrency`): `<base>groupLimit` (STRING n) caps the jobs of
-- one group running at once, across every worker. `<base>groupRunning` (HASH group -> n) counts
-- them: up at a claim, down at every way out of processing (an outcome, a cancel, a hand-back, a
-- lease recovery). A lane found at its cap leaves the turns for `<base>groupsHeld` (SET), and the
-- next of its jobs to leave processing puts it back: a held group has running jobs, so one will.
local GROUP_LIMIT, GROUP_RUNNING, GROUPS_HELD = 'groupLimit', 'groupRunning', 'groupsHeld'

-- A record's group: the tail after the six head fields is `<type length>,<group>|` for one.
local GROUPED_RECORD = '^[^|]*|[^|]*|[^|]*|[^|]*|[^|]*|[^|]*|%d+,([^|]*)|'

local function countByGroup(groups)
  local counts, any = {}, false
  for _, group in pairs(groups) do
    if group and group ~= '' then counts[group], any = (counts[group] or 0) + 1, true end
  end
  return any and counts
end

-- Counts jobs of a claim (flat id, record list) as running in their groups, and no longer pending.
local function startInGroups(claimed)
  local groups, grouped = {}, {}
  for i = 2, #claimed, 2 do
    local group = string.match(claimed[i], GROUPED_RECORD)
    groups[#groups + 1] = group or false
    if group then grouped[#grouped + 1] = claimed[i - 1] end
  end
  for group, n in pairs(countByGroup(groups) or {}) do redis.call('HINCRBY', BASE .. GROUP_RUNNING, group, n) end
  variadic('ZREM', BASE .. GROUPED_PENDING, grouped, 1000)
end

-- Counts jobs out of processing in their groups (`groups`: each job's group, '' or false for none)
-- and puts a group held at its cap back into the turns, waking an idle worker for its jobs.
local function leaveGroups(groups)
  local counts = countByGroup(groups)
  if not counts then return end
  local released = false
  for group, n in pairs(counts) do
    if redis.call('HINCRBY', BASE .. GROUP_RUNNING, group, -n) <= 0 then redis.call('HDEL', BASE .. GROUP_RUNNING, group) end
    if redis.call('SREM', BASE .. GROUPS_HELD, group) == 1 then
      redis.call('ZADD', BASE .. GROUP_TURNS, 'NX', redis.call('GET', BASE .. GROUP_TURN) or '0', group)
      released = true
    end
  end
  if released then wake(BASE .. 'wake') end
end

-- The groups of finished records (outcomes), for leaveGroups.
local function groupsOfRecords(records)
  local groups = {}
  for i, record in ipairs(records) do groups[i] = string.match(record, GROUPED_RECORD) or false end
  return groups
end

-- Whether a group lane is at its cap (`turns.limit`), counting the jobs this claim took from it.
local function atGroupCap(group, turns)
  if not turns.limit or group == '' then return false end
  local running = tonumber(redis.call('HGET', BASE .. GROUP_RUNNING, group)) or 0
  return running + (turns.taken[group] or 0) >= turns.limit
end

-- Takes up to `wanted` ids off one lane, highest priority first, oldest first within one, with the
-- level each came from, and whether the lane ran dry. The levels come a few at a time. A level
-- whose list this claim drains stays in the priorities set until a claim finds it empty (an LPOP
-- that returns nothing), which spares a write when a new job refills it first, as an idle queue's
-- next job does. Some ids may be stale (see `readyEntryValid`): the caller skips them.
local LEVELS_PER_READ = 4

-- Tombstones (ready-order.lua) one claim may clear beyond the entries it pops: a mass cancel or
-- re-prioritisation leaves runs of them at a list's head, and dropping a run of any length in one
-- call would hold Redis for it (20,000 took 90 ms). `sweep.left` counts down per claim; a claim
-- that used it up stops there and leaves a wake marker, so the next claim goes on. Stale ids
-- (an entry a cancel could not find) are popped only a claim's want at a time: they count toward
-- the same bound, and SWEEP_ROUNDS bounds the pops of one claim too.
local SWEEP_LIMIT = 2000
local SWEEP_ROUNDS = 100
local SWEEP_READ = 100
local sweep = {left = 0, cut = false}

local function startSweep()
  sweep.left, sweep.cut = SWEEP_LIMIT, false
end

-- Clears the run of tombstones at the head of `key`, within what the claim's sweep has left.
local function clearTombstones(key)
  while sweep.left > 0 do
    local head = redis.call('LRANGE', key, 0, math.min(SWEEP_READ, sweep.left) - 1)
    local run = 0
    while run < #head and isTombstone(head[run + 1]) do run = run + 1 end
    if run > 0 then redis.call('LPOP', key, run) end
    sweep.left = sweep.left - run
    if run < #head or #head == 0 then return end
  end
  sweep.cut = true
end

local function popLane(prioritiesKey, group, wanted)
  local ids, levels = {}, {}
  local from = 0
  while true do
    local tops = redis.call('ZREVRANGE', prioritiesKey, from, from + LEVELS_PER_READ - 1)
    for _, top in ipairs(tops) do
      local key = readyKey(top, group)
      local popped = redis.call('LPOP', key, wanted - #ids)
      if popped then
        -- A tombstone last may start a run: clear it now rather than pop it a few at a time.
        if isTombstone(popped[#popped]) then clearTombstones(key) end
        for _, id in ipairs(popped) do ids[#ids + 1], levels[#levels + 1] = id, top end
        from = from + 1
        if #ids >= wanted then return ids, levels, false end
      else
        redis.call('ZREM', prioritiesKey, top)
      end
    end
    if #tops < LEVELS_PER_READ then return ids, levels, true end
  end
end

-- Lanes one claim may look at beyond twice the jobs it wants: lanes left empty after a burst over
-- many groups are swept a bounded number per claim, which leaves a wake marker for the rest.
local LANE_SWEEP = 100

-- How many jobs a lane may give this round: its share of what is wanted, and no more than its
-- group's cap leaves (what this claim took from it counted).
local function laneQuota(group, share, turns)
  if not turns.limit or group == '' then return share end
  local running = tonumber(redis.call('HGET', BASE .. GROUP_RUNNING, group)) or 0
  return math.min(share, turns.limit - running - (turns.taken[group] or 0))
end

-- Takes up to `wanted` ids from the lanes in turn, the lane served longest ago first, each giving
-- an even share of what is wanted (one each when there are more lanes than jobs wanted); each
-- lane served goes behind the others, a dry group lane leaves the turns until a job is filed in it
-- again, and a group at its cap leaves them for the held groups. The lane '' stays (its jobs are
-- not filed through enterTurns); found empty, it goes behind the others too. A round reads one lane
-- more than it needs, so that an empty '' does not end it: a round that takes nothing has then
-- removed a lane for each job wanted, or read every lane. Once '' is the only lane and no group
-- has jobs running or held, the turns end and claims are plain again until a grouped job comes.
-- `turns`: the last turn given (`last`, moved on here), the group cap (`limit`, nil for none), the
-- jobs taken per group (`taken`), the groups held by this claim (`held`) and the lanes looked at
-- (`looked`; `cut` once the sweep limit stopped the claim). Returns as popLane does.
local function popInTurn(prioritiesKey, wanted, turns)
  local turnsKey = BASE .. GROUP_TURNS
  local ids, levels = {}, {}
  local turn = turns.last
  local dry = false
  turns.maxLooked = turns.maxLooked or 2 * wanted + LANE_SWEEP
  while #ids < wanted and not dry do
    local before, asked = #ids, wanted - #ids
    local lanes = redis.call('ZRANGE', turnsKey, 0, asked)
    if #lanes == 0 then break end
    if #lanes == 1 and lanes[1] == '' and redis.call('EXISTS', BASE .. GROUP_RUNNING, BASE .. GROUPS_HELD) == 0 then
      redis.call('DEL', turnsKey, BASE .. GROUP_TURN)
      turns.ended = true
      local rest, restLevels, restDry = popLane(prioritiesKey, '', asked)
      for i, id in ipairs(rest) do ids[#ids + 1], levels[#levels + 1] = id, restLevels[i] end
      return ids, levels, restDry
    end
    local share = math.max(1, math.floor(asked / #lanes))
    local served, gone, held = {}, {}, {}
    for _, group in ipairs(lanes) do
      if #ids == wanted then break end
      if turns.looked >= turns.maxLooked then
        turns.cut, dry = true, true
        break
      end
      turns.looked = turns.looked + 1
      local quota = math.min(laneQuota(group, share, turns), wanted - #ids)
      local popped, poppedLevels = {}, {}
      if quota > 0 then popped, poppedLevels = popLane(lanePriorities(prioritiesKey, group), group, quota) end
      for i, id in ipairs(popped) do
        ids[#ids + 1], levels[#levels + 1] = id, poppedLevels[i]
        -- A tombstone is no job: it must not count toward the cap.
        if not isTombstone(id) then turns.taken[group] = (turns.taken[group] or 0) + 1 end
      end
      if #popped > 0 or group == '' then
        turn = turn + 1
        push(served, turn, group)
      else
        gone[#gone + 1] = group
        if quota <= 0 then held[#held + 1], turns.held[#turns.held + 1] = group, group end
      end
    end
    variadic('ZADD', turnsKey, served, 1000)
    variadic('ZREM', turnsKey, gone, 1000)
    variadic('SADD', BASE .. GROUPS_HELD, held, 1000)
    dry = dry or (#ids == before and #lanes <= asked)
  end
  if turn ~= turns.last then redis.call('SET', BASE .. GROUP_TURN, whole(turn)) end
  turns.last = turn
  return ids, levels, dry
end

-- Lets back into the turns a group this claim held at its cap whose running jobs, counted now that
-- the claim's leases are, leave room after all (entries it popped that were no jobs).
local function releaseUnderCap(turns)
  for _, group in ipairs(turns.held) do
    local running = tonumber(redis.call('HGET', BASE .. GROUP_RUNNING, group)) or 0
    if running < turns.limit and redis.call('SREM', BASE .. GROUPS_HELD, group) == 1 then
      redis.call('ZADD', BASE .. GROUP_TURNS, 'NX', whole(turns.last), group)
    end
  end
end

-- Takes up to `wanted` ids off the ready lists: in turns when the queue has seen groups (`turns`
-- as popInTurn takes it then, nil otherwise).
local function popReady(k, wanted, turns)
  if turns and not turns.ended then return popInTurn(k.priorities, wanted, turns) end
  return popLane(k.priorities, '', wanted)
end
