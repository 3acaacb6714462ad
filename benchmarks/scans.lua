-- wrk script for the check-in benchmarks: every request posts a distinct badge code and a
-- fresh nonce. The codes file (one QR text a line) is written by benchmarks/checkin.py; each
-- wrk thread takes every n-th line, so no two threads send the same badge. A thread that runs
-- out of codes starts its slice again (the scan is then answered "already inside").
-- The nonce is RUN_TAG-thread-counter, so it is fresh for every request of a run.
--   wrk -t2 -c16 -d10s -s benchmarks/scans.lua URL -- CODES_FILE THREADS [BEARER_TOKEN] [RUN_TAG]
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("index", counter)
end

function init(args)
  local path, token = args[1], args[3]
  threadcount = tonumber(args[2])
  tag = args[4] or "run"
  codes = {}
  index = wrk.thread:get("index")
  local n = 0
  for line in io.lines(path) do
    n = n + 1
    if (n - index) % threadcount == 0 then
      codes[#codes + 1] = line
    end
  end
  position = 0
  sent = 0
  headers = { ["Content-Type"] = "application/json" }
  if token and token ~= "" then
    headers["Authorization"] = "Bearer " .. token
  end
end

function request()
  position = position % #codes + 1
  sent = sent + 1
  local body = string.format(
    '{"code":"%s","gate":"W%d","direction":"in","nonce":"%s-%d-%d"}',
    codes[position], index % 40 + 1, tag, index, sent)
  return wrk.format("POST", nil, headers, body)
end

function done(summary, latency, requests)
  io.write(string.format(
    'WRK-JSON {"requests":%d,"duration_us":%d,"connect_errors":%d,"read_errors":%d,' ..
    '"write_errors":%d,"timeouts":%d,"non_2xx":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,' ..
    '"max_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout, summary.errors.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, latency.mean))
end
