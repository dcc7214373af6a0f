-- wrk script: replays the request mix file (one request per line: "<Signature-256>\t<body>"),
-- each thread starting at its own offset, and prints one machine-readable summary line.
local cert_url = "https://s3.amazonaws.com/echo.api/echo-api-cert.pem"
local counter = 0
local requests_ = {}
local index = 0

function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end

function init(args)
  for line in io.lines(args[1]) do
    local signature, body = line:match("^([^\t]*)\t(.*)$")
    requests_[#requests_ + 1] = wrk.format("POST", "/alexa", {
      ["Content-Type"] = "application/json",
      ["SignatureCertChainUrl"] = cert_url,
      ["Signature-256"] = signature,
    }, body)
  end
  index = ((id or 1) * 7919) % #requests_
end

function request()
  index = index % #requests_ + 1
  return requests_[index]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, ' ..
    '"errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.status + e.connect + e.read + e.write + e.timeout))
end
