-- wrk script: GET PATH_ (a record by id, or a custom route).
wrk.path = assert(os.getenv("PATH_"), "PATH_ not set")
