-- GET /api/v1/availability for random stays of 1-7 nights within the next ~23 months.
-- args: today_epoch guests [property_id]
package.path = package.path .. ";" .. os.getenv("BENCH_LUA_DIR") .. "/?.lua"
require("report")

local today, guests, property

function init(args)
  today = tonumber(args[1])
  guests = args[2]
  property = args[3]
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

function request()
  local start = today + math.random(1, 690) * 86400
  local stop = start + math.random(1, 7) * 86400
  local path = "/api/v1/availability?check_in=" .. os.date("!%Y-%m-%d", start) ..
    "&check_out=" .. os.date("!%Y-%m-%d", stop) .. "&guests=" .. guests
  if property then
    path = path .. "&property_id=" .. property
  end
  return wrk.format("GET", path)
end
