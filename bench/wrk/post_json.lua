-- wrk script: POST a JSON body (BODY) with an optional Authorization header (TOKEN), both from
-- the environment, to the URL's path.
wrk.method = "POST"
wrk.body = os.getenv("BODY") or ""
wrk.headers["Content-Type"] = "application/json"
local token = os.getenv("TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = token
end
