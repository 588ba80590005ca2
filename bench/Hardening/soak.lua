-- The soak's workload, in rotation: plaintext, JSON, a 16 KiB upload read whole, a JSON body, a 256 KiB answer.
local requests = {}
local n = 0

init = function(args)
  requests[1] = wrk.format("GET", "/plaintext")
  requests[2] = wrk.format("GET", "/json")
  requests[3] = wrk.format("POST", "/upload", { ["Content-Type"] = "application/octet-stream" }, string.rep("x", 16384))
  requests[4] = wrk.format("POST", "/item", { ["Content-Type"] = "application/json" }, '{"Name":"widget","Count":3}')
  requests[5] = wrk.format("GET", "/medium")
end

request = function()
  n = n + 1
  return requests[(n % #requests) + 1]
end
