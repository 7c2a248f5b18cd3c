#!/usr/bin/env python3
"""Seeds the data of bench/graphql/nested_vs_rest.sh over a running server's REST API.

usage: seed_nested.py URL SUPERUSER_EMAIL PASSWORD

Collections (every rule "" so that guests read them, as the benchmark asks without a token):
  authors  {name}
  posts    {title, author -> authors}
  comments {body, post -> posts, author -> authors}
Data: 5 authors, 20 posts (author i % 5), 5 comments per post (author (i + j) % 5).
"""
import json
import sys
import urllib.request


def call(url, method, path, body=None, token=None):
    request = urllib.request.Request(url + path, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", token)
    data = json.dumps(body).encode() if body is not None else None
    with urllib.request.urlopen(request, data, timeout=30) as response:
        return json.load(response)


def main():
    url, email, password = sys.argv[1:4]
    token = call(url, "POST", "/api/collections/_superusers/auth-with-password",
                 {"identity": email, "password": password})["token"]
    open_rules = {"listRule": "", "viewRule": "", "createRule": "", "updateRule": "",
                  "deleteRule": ""}
    authors = call(url, "POST", "/api/collections",
                   {"name": "authors", **open_rules, "fields": [{"name": "name", "type": "text"}]},
                   token)
    posts = call(url, "POST", "/api/collections", {
        "name": "posts", **open_rules, "fields": [
            {"name": "title", "type": "text"},
            {"name": "author", "type": "relation", "collectionId": authors["id"],
             "maxSelect": 1}]}, token)
    call(url, "POST", "/api/collections", {
        "name": "comments", **open_rules, "fields": [
            {"name": "body", "type": "text"},
            {"name": "post", "type": "relation", "collectionId": posts["id"], "maxSelect": 1},
            {"name": "author", "type": "relation", "collectionId": authors["id"],
             "maxSelect": 1}]}, token)
    author_ids = [call(url, "POST", "/api/collections/authors/records",
                       {"name": f"Author {i}"}, token)["id"] for i in range(5)]
    for i in range(20):
        post = call(url, "POST", "/api/collections/posts/records",
                    {"title": f"Post {i}", "author": author_ids[i % 5]}, token)
        for j in range(5):
            call(url, "POST", "/api/collections/comments/records",
                 {"body": f"Comment {j} on post {i}", "post": post["id"],
                  "author": author_ids[(i + j) % 5]}, token)


if __name__ == "__main__":
    main()
