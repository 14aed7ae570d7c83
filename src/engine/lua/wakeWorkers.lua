-- wakeWorkers: leaves the wake marker for idle workers, unless one is there already. A worker whose
-- leftover wait took a marker it cannot act on (no free slot) passes it on this way.
-- KEYS[1] base  `<prefix>:{<queue>}:`
-- KEYS[2] wake  LIST `<base>wake`
-- Returns 1.

wake(KEYS[2])
return 1
