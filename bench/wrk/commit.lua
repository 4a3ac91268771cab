-- Commits (set-properties) for bench/bench.py. Usage:
--   wrk -s commit.lua URL -- MODE LOGDIR TAG TABLES_FILE PATH_PREFIX [TABLE]
-- MODE   spread: each request picks a random table of TABLES_FILE and sets a unique property
--                key TAG_<thread>_<n> (so the final table states show exactly which commits landed);
--        one:    every request goes to TABLE, asserts only its uuid (the server re-bases on races)
--                and sets bench.last = TAG_<thread>_<n>;
--        assert: like `one`, but also asserts the `main` ref is at the snapshot this writer last
--                saw and flips `main` between the table's two seeded snapshots, so racing writers
--                really get 409s (a 409 or 200 tells the writer where `main` now is).
-- TABLES_FILE lines: "<name> <uuid> <snapshot-a> <snapshot-b>" (snapshots "-" when none).
-- Each request carries its key as x-request-id, which the server echoes; every thread logs
-- "S <key>" when it sends and "<status> <key>" when the answer arrives into LOGDIR/TAG-<thread>.log.

local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(here .. "report.lua")

local mode, tag, prefix, log
local targets = {}
local believed = {}
local counter = 0
sent, received = 0, 0

function init(args)
  mode, tag, prefix = args[1], args[3], args[5]
  for line in io.lines(args[4]) do
    local name, uuid, a, b = line:match("^(%S+) (%S+) (%S+) (%S+)$")
    if name and (mode == "spread" or name == args[6]) then
      table.insert(targets, { name = name, uuid = uuid, a = a, b = b })
      believed[name] = a
    end
  end
  if #targets == 0 then error("commit.lua: no target table") end
  log = assert(io.open(string.format("%s/%s-%d.log", args[2], tag, id), "a"))
  log:setvbuf("line")
  math.randomseed(id * 7919 + os.time())
end

function request()
  counter = counter + 1
  local key = string.format("%s_%d_%d", tag, id, counter)
  local t = targets[#targets == 1 and 1 or math.random(#targets)]
  local requirements = '{"type":"assert-table-uuid","uuid":"' .. t.uuid .. '"}'
  local from, to
  if mode == "assert" then
    from = believed[t.name]
    to = (from == t.a) and t.b or t.a
    key = key .. "_" .. to
    requirements = requirements
      .. ',{"type":"assert-ref-snapshot-id","ref":"main","snapshot-id":' .. from .. '}'
  end
  local updates
  if mode == "spread" then
    updates = '{"action":"set-properties","updates":{"' .. key .. '":"1"}}'
  else
    updates = '{"action":"set-properties","updates":{"bench.last":"' .. key .. '"}}'
  end
  if mode == "assert" then
    updates = updates
      .. ',{"action":"set-snapshot-ref","ref-name":"main","type":"branch","snapshot-id":' .. to .. '}'
  end
  local body = '{"requirements":[' .. requirements .. '],"updates":[' .. updates .. ']}'
  sent = sent + 1
  log:write("S ", key, "\n")
  return wrk.format("POST", prefix .. t.name,
    { ["Content-Type"] = "application/json", ["x-request-id"] = key }, body)
end

function response(status, headers, body)
  received = received + 1
  local key = headers["x-request-id"] or headers["X-Request-Id"] or "?"
  log:write(status, " ", key, "\n")
  if mode == "assert" and (status == 200 or status == 409) then
    -- 200: main moved to `to`; 409: main was not at `from`, so with two snapshots it is at `to`.
    local to = key:match("_(%-?%d+)$")
    if to then believed[targets[1].name] = to end
  end
end
