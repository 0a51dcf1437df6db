-- POST /api/v1/bookings for a random room from a list, random stay of 1-7 nights.
-- args: today_epoch token room_id[,room_id...]|lo-hi [window_days]
package.path = package.path .. ";" .. os.getenv("BENCH_LUA_DIR") .. "/?.lua"
require("report")

local today, headers, rooms, lo, hi, window

function init(args)
  today = tonumber(args[1])
  headers = {["Authorization"] = "Bearer " .. args[2], ["Content-Type"] = "application/json"}
  local a, b = args[3]:match("^(%d+)-(%d+)$")
  if a then
    lo, hi = tonumber(a), tonumber(b)
  else
    rooms = {}
    for id in args[3]:gmatch("%d+") do table.insert(rooms, tonumber(id)) end
  end
  window = tonumber(args[4] or "690")
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

function request()
  local room = rooms and rooms[math.random(1, #rooms)] or math.random(lo, hi)
  local start = today + math.random(1, window) * 86400
  local stop = start + math.random(1, 7) * 86400
  local body = string.format(
    '{"room_id": %d, "check_in": "%s", "check_out": "%s", "guests": 1, ' ..
    '"guest_name": "Bench Guest", "guest_email": "bench@example.com"}',
    room, os.date("!%Y-%m-%d", start), os.date("!%Y-%m-%d", stop))
  return wrk.format("POST", "/api/v1/bookings", headers, body)
end
