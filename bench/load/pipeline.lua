-- wrk script: send `depth` pipelined requests per write (default 16), as in TechEmpower's pipelined plaintext.
--   wrk -s pipeline.lua http://127.0.0.1:5002/plaintext -- 16
init = function(args)
  local depth = tonumber(args[1]) or 16
  local r = {}
  for i = 1, depth do
    r[i] = wrk.format()
  end
  req = table.concat(r)
end

request = function()
  return req
end
