-- wrk script: GET PREFIX..ID with ID drawn at random, per request, from the file IDS (one id a
-- line), e.g. PREFIX=/api/collections/posts/records/ IDS=post_ids.txt. With TOKEN set, it is
-- sent as the Authorization header: bench/posts.sh uses this for the owner-rule read too
-- (PREFIX=/api/collections/private_posts/records/, IDS = the signed-in user's posts).
-- Environment only, so the same script drives Basalt and the ceiling (PREFIX=/posts/).
local prefix = assert(os.getenv("PREFIX"), "PREFIX not set")
local ids = {}
local path = assert(os.getenv("IDS"), "IDS not set")
for line in io.lines(path) do
  ids[#ids + 1] = line
end
assert(#ids > 0, "no ids in IDS")

local token = os.getenv("TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = token
end

-- Each wrk thread has its own Lua state; give each a different, fixed random sequence.
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("seed", threads)
end

function init()
  math.randomseed(seed or 1)
end

function request()
  return wrk.format("GET", prefix .. ids[math.random(#ids)])
end
