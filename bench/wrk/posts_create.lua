-- wrk script: POST one new post (JSON, ~500-byte body) to /api/collections/posts/records, as a
-- guest (the bench's createRule is ""). AUTHOR (environment) is an existing user id; CREATE_PATH
-- (optional) posts elsewhere: the ceiling's POST /posts.
--
-- The new posts are unpublished with 0 views, so whatever the create runs add, the list
-- workload's filter (`views > 8000 && published = true`) still matches the same posts.
local author = assert(os.getenv("AUTHOR"), "AUTHOR not set")
local body = string.rep("lorem ipsum dolor sit amet ", 19):sub(1, 500)

wrk.method = "POST"
wrk.path = os.getenv("CREATE_PATH") or "/api/collections/posts/records"
wrk.headers["Content-Type"] = "application/json"
wrk.body = string.format(
  '{"title":"A new post","body":"%s","views":0,"published":false,"author":"%s"}', body, author)
