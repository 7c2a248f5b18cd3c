-- wrk script: get-by-id, list and create in turn on each connection (bench/posts.sh "mixed"),
-- the three requests of posts_get_by_id.lua, posts_list.lua and posts_create.lua. Environment:
-- PREFIX and IDS as posts_get_by_id.lua, AUTHOR as posts_create.lua.
local prefix = assert(os.getenv("PREFIX"), "PREFIX not set")
local author = assert(os.getenv("AUTHOR"), "AUTHOR not set")
local ids = {}
local ids_path = assert(os.getenv("IDS"), "IDS not set")
for line in io.lines(ids_path) do
  ids[#ids + 1] = line
end
assert(#ids > 0, "no ids in IDS")

local list_path = "/api/collections/posts/records?perPage=20&sort=-created&filter=" ..
  "views%20%3E%208000%20%26%26%20published%20%3D%20true"
local body = string.rep("lorem ipsum dolor sit amet ", 19):sub(1, 500)
local create_body = string.format(
  '{"title":"A new post","body":"%s","views":0,"published":false,"author":"%s"}', body, author)
local json = { ["Content-Type"] = "application/json" }

local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("seed", threads)
end

local turn = 0
function init()
  math.randomseed(seed or 1)
end

function request()
  turn = turn % 3 + 1
  if turn == 1 then
    return wrk.format("GET", prefix .. ids[math.random(#ids)])
  elseif turn == 2 then
    return wrk.format("GET", list_path)
  end
  return wrk.format("POST", "/api/collections/posts/records", json, create_body)
end
