#!/usr/bin/env python3
"""Seeds the isolation workload through the REST API of a running Basalt.

A public collection `nodes` (title, and `links`: a relation to `nodes` itself with maxSelect
LINKS) holds COUNT records, each linking to LINKS others, so that a guest filter walking
`links.links.links...` visits LINKS^hops rows per record. Prints every record id, one a line.

usage: seed.py URL SUPERUSER_TOKEN COUNT LINKS
"""
import json
import sys
import urllib.request


def call(url, token, method, path, body):
    request = urllib.request.Request(url + path, method=method, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json",
                                              "Authorization": token})
    with urllib.request.urlopen(request) as response:
        return json.load(response)


def main():
    url, token, count, links = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    collection = call(url, token, "POST", "/api/collections", {
        "name": "nodes", "type": "base", "listRule": "", "viewRule": "",
        "fields": [{"name": "title", "type": "text"}]})
    call(url, token, "PATCH", "/api/collections/nodes", {"fields": collection["fields"] + [
        {"name": "links", "type": "relation", "collectionId": collection["id"],
         "maxSelect": links}]})
    ids = [call(url, token, "POST", "/api/collections/nodes/records",
                {"title": f"node {i}"})["id"] for i in range(count)]
    for i, node in enumerate(ids):
        linked = [ids[(i + k) % count] for k in range(1, links + 1)]
        call(url, token, "PATCH", f"/api/collections/nodes/records/{node}", {"links": linked})
    print("\n".join(ids))


if __name__ == "__main__":
    main()
