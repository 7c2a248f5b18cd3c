-- wrk script: the posts list page, 20 per page, public posts with more than 8000 views, newest
-- first. bench/posts/seed.py draws views uniformly from [0, 10000) and publishes half of the
-- posts, so the filter matches ~10% of them (~10,000 of 100,000).
local filter = "views > 8000 && published = true"

local function encode(text)
  return (text:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", c:byte()) end))
end

wrk.method = "GET"
wrk.path = "/api/collections/posts/records?perPage=20&sort=-created&filter=" .. encode(filter)
