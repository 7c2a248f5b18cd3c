-- wrk script: POST /api/batch with COUNT (environment, default 1000) creates of the same post
-- posts_create.lua sends, as a guest. AUTHOR (environment) is an existing user id. The server's
-- settings.batch must allow COUNT requests (bench/posts.sh raises them).
local author = assert(os.getenv("AUTHOR"), "AUTHOR not set")
local count = tonumber(os.getenv("COUNT") or "1000")
local body = string.rep("lorem ipsum dolor sit amet ", 19):sub(1, 500)
local item = string.format(
  '{"method":"POST","url":"/api/collections/posts/records","body":{"title":"A new post",' ..
  '"body":"%s","views":0,"published":false,"author":"%s"}}', body, author)
local items = {}
for i = 1, count do items[i] = item end

wrk.method = "POST"
wrk.path = "/api/batch"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"requests":[' .. table.concat(items, ",") .. ']}'
