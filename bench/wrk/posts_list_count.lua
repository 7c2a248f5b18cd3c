-- wrk script: a dashboard's list, repeated unchanged: the first 20 published posts and their
-- total. bench/posts/seed.py publishes half of the posts, so the total counts ~50,000 rows
-- (through the (published, views) index) unless the server reuses an earlier count.
-- LIST_PATH (environment) replaces the path: the ceiling's route for the same statements.
wrk.method = "GET"
wrk.path = os.getenv("LIST_PATH") or "/api/collections/posts/records?perPage=20&filter=published%20%3D%20true"
