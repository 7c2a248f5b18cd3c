-- The realistic validation hook of the hook benchmarks (bench/hooks/run.sh,
-- bench/traces/instructions.mjs): length checks, a pattern, a computed field.
basalt.on("beforeCreate", "posts", function(e)
  local r = e.record
  local errors = {}
  if type(r.title) ~= "string" or #r.title < 3 or #r.title > 120 then
    errors.title = { code = "invalid_title", message = "3 to 120 characters." }
  elseif r.title:find("[<>]") then
    errors.title = { code = "invalid_title", message = "No angle brackets." }
  end
  if r.views and (type(r.views) ~= "number" or r.views < 0) then
    errors.views = { code = "invalid_views", message = "A positive number." }
  end
  if next(errors) then error(basalt.error(400, "Invalid post.", errors)) end
  r.body = (r.body or ""):gsub("^%s+", ""):gsub("%s+$", "")
end)
