-- wrk script: POST a small post to PATH (default /api/collections/posts/records).
wrk.method = "POST"
wrk.path = os.getenv("PATH_") or "/api/collections/posts/records"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"title":"A benchmark post","body":"Some text of a reasonable length for a post.","views":7}'
