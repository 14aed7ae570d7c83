-- Taking ready jobs off the lanes (needs lib, ready-lists): one lane's levels highest first, or,
-- in a queue that has seen groups, the lanes in turn (see ready-lists.lua for lanes and turns).

-- Takes up to `wanted` ids off one lane, highest priority first, oldest first within one, with the
-- level each came from, and whether the lane ran dry. The levels come a few at a time. A level
-- whose list this claim drains stays in the priorities set until a claim finds it empty (an LPOP
-- that returns nothing), which spares a write when a new job refills it first, as an idle queue's
-- next job does. Some ids may be stale (see `readyEntryValid`): the caller skips them.
local LEVELS_PER_READ = 4

local function popLane(prioritiesKey, group, wanted)
  local ids, levels = {}, {}
  local from = 0
  while true do
    local tops = redis.call('ZREVRANGE', prioritiesKey, from, from + LEVELS_PER_READ - 1)
    for _, top in ipairs(tops) do
      local popped = redis.call('LPOP', readyKey(top, group), wanted - #ids)
      if popped then
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

-- Takes up to `wanted` ids one per lane in turn, the lane served longest ago first; each lane
-- served goes behind the others, and a dry group lane leaves the turns until a job is filed in it
-- again. The lane '' stays (its jobs are not filed through enterTurns): found empty, it goes behind
-- the others too. A round reads one lane more than it needs, so that an empty '' does not end it:
-- a round that takes nothing has then removed a lane for each job wanted, or read every lane.
-- `turns.last`: the last turn given, moved on here. Returns as popLane does.
local function popInTurn(prioritiesKey, wanted, turns)
  local turnsKey = BASE .. GROUP_TURNS
  local ids, levels = {}, {}
  local turn = turns.last
  local dry = false
  while #ids < wanted and not dry do
    local before, asked = #ids, wanted - #ids
    local lanes = redis.call('ZRANGE', turnsKey, 0, asked)
    local served, gone = {}, {}
    for _, group in ipairs(lanes) do
      if #ids == wanted then break end
      local popped, poppedLevels = popLane(lanePriorities(prioritiesKey, group), group, 1)
      if popped[1] then ids[#ids + 1], levels[#levels + 1] = popped[1], poppedLevels[1] end
      if popped[1] or group == '' then
        turn = turn + 1
        push(served, turn, group)
      else
        gone[#gone + 1] = group
      end
    end
    variadic('ZADD', turnsKey, served, 1000)
    variadic('ZREM', turnsKey, gone, 1000)
    dry = #ids == before and #lanes <= asked
  end
  redis.call('SET', BASE .. GROUP_TURN, whole(turn))
  turns.last = turn
  return ids, levels, dry
end

-- Takes up to `wanted` ids off the ready lists: in turns when the queue has seen groups (`turns`
-- holds the last turn given then, and is nil otherwise).
local function popReady(k, wanted, turns)
  if turns then return popInTurn(k.priorities, wanted, turns) end
  return popLane(k.priorities, '', wanted)
end
