#!/usr/bin/env python3
"""Checks deploy/'s compose file, Kubernetes manifests and haproxy configuration offline.

No cluster, compose or registry is reachable here, so this reads the files and checks what
would otherwise only fail at deploy time (docs/scaling.md, "Containers and Kubernetes"):

- every YAML document parses; Kubernetes objects have apiVersion, kind and metadata.name, with
  the API version their kind has in current Kubernetes; kustomization.yaml lists every manifest;
- names resolve: Secret and ConfigMap references and their keys, volumes of volume mounts,
  selectors against pod labels, the HPA's and probes' targets, named ports;
- the pods run as the image's user (deploy/Dockerfile's USER) and listen on the image's port;
- every BASALT_* variable set in compose or a ConfigMap/Secret is a real setting (the
  environment column of `basalt config docs`);
- every HTTP path a probe, a health check or haproxy asks for answers 200 from the real server
  (the binary is started on a free loopback port with a throwaway data directory);
- haproxy.cfg passes `haproxy -c` (when haproxy is installed), names the compose instances on
  the image's port and checks them on a served path.

Usage: check_manifests.py BASALT_BINARY. Prints one line per finding; exits 1 if any.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.request

import yaml

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DEPLOY = os.path.join(ROOT, "deploy")
API_VERSIONS = {
    "Deployment": "apps/v1",
    "Service": "v1",
    "ConfigMap": "v1",
    "Secret": "v1",
    "HorizontalPodAutoscaler": "autoscaling/v2",
    "PodDisruptionBudget": "policy/v1",
}

problems = []


def problem(where, message):
    problems.append(f"{os.path.relpath(where, ROOT)}: {message}")


def load_documents(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def image_facts():
    """The runtime image's user and port, from deploy/Dockerfile."""
    text = open(os.path.join(DEPLOY, "Dockerfile"), encoding="utf-8").read()
    user = re.findall(r"^USER\s+(\d+):(\d+)\s*$", text, re.M)
    port = re.findall(r"^EXPOSE\s+(\d+)\s*$", text, re.M)
    http = re.findall(r"BASALT_HTTP=[\d.]+:(\d+)", text)
    if len(user) != 1 or len(port) != 1 or http != port:
        sys.exit("check_manifests: deploy/Dockerfile must have one USER uid:gid, one EXPOSE and "
                 "a BASALT_HTTP default on the exposed port")
    return int(user[0][0]), int(user[0][1]), int(port[0])


def setting_variables(binary):
    """BASALT_* names of every setting, from the binary's own reference."""
    out = subprocess.run([binary, "config", "docs"], check=True, capture_output=True, text=True)
    names = set(re.findall(r"`(BASALT_[A-Z0-9_]+)`", out.stdout))
    if len(names) < 10:
        sys.exit("check_manifests: `basalt config docs` listed no environment variables")
    return names


class Server:
    """The real binary on 127.0.0.1:<free port>, SQLite in a temporary directory."""

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="basalt-manifests.")
        env = {k: v for k, v in os.environ.items() if not k.startswith("BASALT_")}
        self.process = subprocess.Popen(
            [BINARY, "serve", "--http", "127.0.0.1:0", "--dir", self.dir, "--config", "",
             "--access-log", "false"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
        # The first stdout line names the chosen port once the listener is open.
        for line in self.process.stdout:
            found = re.search(r"http://127\.0\.0\.1:(\d+)", line)
            if found:
                self.port = int(found.group(1))
                return self
        raise RuntimeError("the server exited before it printed its address")

    def status(self, path):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10) as r:
                return r.status
        except urllib.error.HTTPError as e:
            return e.code

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)
        shutil.rmtree(self.dir, ignore_errors=True)


def check_paths(paths):
    """paths: {path: [where, ...]}; each must answer GET with 200."""
    with Server() as server:
        for path, places in sorted(paths.items()):
            status = server.status(path)
            if status != 200:
                for where in places:
                    problem(where, f"GET {path} answers {status}, not 200")


def labels_match(selector, labels):
    return all(labels.get(k) == v for k, v in (selector or {}).items())


def check_settings(where, names, known):
    for name in names:
        if name.startswith("BASALT_") and name not in known:
            problem(where, f"{name} is not a setting (basalt config docs)")


def check_kubernetes(known_variables, uid, gid, port, paths):
    k8s = os.path.join(DEPLOY, "k8s")
    objects = {}
    for name in sorted(os.listdir(k8s)):
        if not name.endswith(".yaml") or name == "kustomization.yaml":
            continue
        path = os.path.join(k8s, name)
        for doc in load_documents(path):
            kind, meta = doc.get("kind"), doc.get("metadata") or {}
            if not doc.get("apiVersion") or not kind or not meta.get("name"):
                problem(path, "a document without apiVersion, kind or metadata.name")
                continue
            if API_VERSIONS.get(kind) != doc["apiVersion"]:
                problem(path, f"{kind} with apiVersion {doc['apiVersion']} "
                              f"(expected {API_VERSIONS.get(kind, 'a known kind')})")
            objects[(kind, meta["name"])] = (path, doc)

    kustomization = os.path.join(k8s, "kustomization.yaml")
    listed = set(load_documents(kustomization)[0].get("resources", []))
    present = {os.path.basename(p) for p, _ in objects.values()}
    for missing in sorted(present - listed):
        problem(kustomization, f"{missing} is not in resources")
    for extra in sorted(listed - present):
        problem(kustomization, f"resource {extra} does not exist")

    def data_keys(kind, name):
        found = objects.get((kind, name))
        if not found:
            return None
        doc = found[1]
        return set(doc.get("data") or {}) | set(doc.get("stringData") or {})

    for (kind, name), (path, doc) in objects.items():
        if kind in ("ConfigMap", "Secret"):
            check_settings(path, data_keys(kind, name), known_variables)

    deployments = [(p, d) for (k, _), (p, d) in objects.items() if k == "Deployment"]
    if not deployments:
        problem(k8s, "no Deployment")
    for path, deployment in deployments:
        spec = deployment["spec"]
        pod = spec["template"]
        pod_labels = pod["metadata"].get("labels") or {}
        if not labels_match(spec["selector"].get("matchLabels"), pod_labels):
            problem(path, "the selector does not match the pod template's labels")
        pod_spec = pod["spec"]
        security = pod_spec.get("securityContext") or {}
        if security.get("runAsUser") != uid or security.get("runAsGroup") != gid:
            problem(path, f"pods must run as the image's user {uid}:{gid}")
        if security.get("runAsNonRoot") is not True:
            problem(path, "runAsNonRoot is not set")
        volumes = {v["name"]: v for v in pod_spec.get("volumes") or []}
        for container in pod_spec["containers"]:
            ports = {p.get("name"): p["containerPort"] for p in container.get("ports") or []}
            if port not in ports.values():
                problem(path, f"container {container['name']} does not expose the image's "
                              f"port {port}")
            for probe_name in ("readinessProbe", "livenessProbe", "startupProbe"):
                probe = container.get(probe_name)
                if probe is None:
                    if probe_name != "startupProbe":
                        problem(path, f"container {container['name']} has no {probe_name}")
                    continue
                get = probe.get("httpGet")
                if not get:
                    problem(path, f"{probe_name} is not an httpGet")
                    continue
                probe_port = ports.get(get["port"], get["port"])
                if probe_port != port:
                    problem(path, f"{probe_name} asks port {get['port']}, not {port}")
                paths.setdefault(get["path"], []).append(path)
            for source in container.get("envFrom") or []:
                for kind, key in (("ConfigMap", "configMapRef"), ("Secret", "secretRef")):
                    if key in source and data_keys(kind, source[key]["name"]) is None:
                        problem(path, f"envFrom names a missing {kind} {source[key]['name']}")
            for variable in container.get("env") or []:
                check_settings(path, [variable["name"]], known_variables)
                ref = (variable.get("valueFrom") or {})
                for kind, key in (("ConfigMap", "configMapKeyRef"), ("Secret", "secretKeyRef")):
                    if key in ref:
                        keys = data_keys(kind, ref[key]["name"])
                        if keys is None or ref[key]["key"] not in keys:
                            problem(path, f"{variable['name']} names {kind} "
                                          f"{ref[key]['name']} key {ref[key]['key']}, "
                                          "which does not exist")
            for mount in container.get("volumeMounts") or []:
                if mount["name"] not in volumes:
                    problem(path, f"volume mount {mount['name']} has no volume")
        for volume in volumes.values():
            if "secret" in volume:
                keys = data_keys("Secret", volume["secret"]["secretName"])
                if keys is None:
                    problem(path, f"volume {volume['name']} names a missing Secret")
                    continue
                for item in volume["secret"].get("items") or []:
                    if item["key"] not in keys:
                        problem(path, f"volume {volume['name']} takes key {item['key']}, "
                                      "which the Secret does not have")

        name = deployment["metadata"]["name"]
        for (kind, _), (other_path, other) in objects.items():
            other_spec = other.get("spec") or {}
            if kind == "Service":
                if not labels_match(other_spec.get("selector"), pod_labels):
                    problem(other_path, "the selector does not match the Deployment's pods")
                for service_port in other_spec.get("ports") or []:
                    target = service_port.get("targetPort")
                    container_ports = {p.get("name"): p["containerPort"]
                                       for c in pod_spec["containers"]
                                       for p in c.get("ports") or []}
                    if target not in container_ports and target not in container_ports.values():
                        problem(other_path, f"targetPort {target} is not a container port")
            if kind == "PodDisruptionBudget":
                if not labels_match(other_spec["selector"].get("matchLabels"), pod_labels):
                    problem(other_path, "the selector does not match the Deployment's pods")
                if "minAvailable" in other_spec and other_spec["minAvailable"] >= spec["replicas"]:
                    problem(other_path, "minAvailable leaves no pod to evict: drains would hang")
            if kind == "HorizontalPodAutoscaler":
                target = other_spec["scaleTargetRef"]
                if (target["kind"], target["name"]) != ("Deployment", name):
                    problem(other_path, f"scaleTargetRef does not name Deployment {name}")
                low, high = other_spec.get("minReplicas", 1), other_spec["maxReplicas"]
                if not low <= spec["replicas"] <= high:
                    problem(other_path, f"the Deployment's {spec['replicas']} replicas are "
                                        f"outside {low}..{high}")
                resources = [c.get("resources", {}).get("requests", {})
                             for c in pod_spec["containers"]]
                if any("cpu" not in r for r in resources):
                    problem(path, "CPU utilization scaling needs a CPU request on every container")


def check_compose(known_variables, port, paths):
    path = os.path.join(DEPLOY, "compose.yaml")
    compose = load_documents(path)[0]
    services = compose.get("services") or {}
    instances = sorted(n for n, s in services.items()
                       if "basalt" in str(s.get("image", "")) and "build" in s)
    if len(instances) != 3:
        problem(path, f"expected 3 Basalt services, found {instances}")
    for required in ("postgres", "haproxy"):
        if required not in services:
            problem(path, f"no {required} service")
    declared_volumes = set(compose.get("volumes") or {})
    declared_secrets = set(compose.get("secrets") or {})
    instance_volumes = []
    for name, service in services.items():
        for dependency in service.get("depends_on") or {}:
            if dependency not in services:
                problem(path, f"{name} depends on a missing service {dependency}")
        for volume in service.get("volumes") or []:
            source = volume.split(":")[0]
            if not source.startswith((".", "/")) and source not in declared_volumes:
                problem(path, f"{name} mounts an undeclared volume {source}")
            if name in instances:
                instance_volumes.append(source)
        for secret in service.get("secrets") or []:
            source = secret["source"] if isinstance(secret, dict) else secret
            if source not in declared_secrets:
                problem(path, f"{name} uses an undeclared secret {source}")
        if "healthcheck" not in service and name not in instances and name != "haproxy":
            problem(path, f"{name} has no healthcheck")
    if len(set(instance_volumes)) != len(instance_volumes) or len(instance_volumes) != len(instances):
        problem(path, "each instance needs a data volume of its own (the data directory is locked)")
    for name in instances:
        environment = services[name].get("environment") or {}
        check_settings(path, environment, known_variables)
        if "BASALT_DB" not in environment or "postgres://" not in environment["BASALT_DB"]:
            problem(path, f"{name} is not pointed at PostgreSQL")
        if "postgres" not in (services[name].get("depends_on") or {}):
            problem(path, f"{name} does not wait for postgres")
    haproxy_waits = set(services.get("haproxy", {}).get("depends_on") or {})
    if haproxy_waits != set(instances):
        problem(path, "haproxy must wait for the three instances")
    check_haproxy(instances, port, paths)


def check_haproxy(instances, port, paths):
    path = os.path.join(DEPLOY, "haproxy", "haproxy.cfg")
    text = open(path, encoding="utf-8").read()
    servers = re.findall(r"^\s*server\s+(\S+)\s+(\S+):(\d+)\b", text, re.M)
    # Sections start at a line of their own: "backend NAME", "frontend NAME", ...
    sections = re.split(r"^(?=\S)", text, flags=re.M)
    backends = {m.group(1): section for section in sections
                for m in [re.match(r"backend\s+(\S+)", section)] if m}
    if not backends:
        problem(path, "no backend")
    for backend_name, body in backends.items():
        names = sorted(set(re.findall(r"^\s*server\s+\S+\s+([^:\s]+):", body, re.M)))
        if names != instances:
            problem(path, f"backend {backend_name} balances {names}, not {instances}")
        checked = re.findall(r"http-check send meth GET uri (\S+)", body)
        if not checked:
            problem(path, f"backend {backend_name} has no HTTP health check")
        for uri in checked:
            paths.setdefault(uri, []).append(path)
    for _, _, server_port in servers:
        if int(server_port) != port:
            problem(path, f"a server on port {server_port}, not the image's {port}")
    if shutil.which("haproxy"):
        result = subprocess.run(["haproxy", "-c", "-f", path], capture_output=True, text=True)
        # The compose service names resolve only on the compose network.
        other = [line for line in result.stderr.splitlines()
                 if "[WARNING]" in line and "could not resolve address" not in line
                 or "[ALERT]" in line]
        if result.returncode != 0 or other:
            problem(path, "haproxy -c: " + " | ".join(other or result.stderr.splitlines()))


def main():
    global BINARY
    if len(sys.argv) != 2 or not os.access(sys.argv[1], os.X_OK):
        sys.exit("usage: check_manifests.py BASALT_BINARY")
    BINARY = os.path.abspath(sys.argv[1])
    uid, gid, port = image_facts()
    known = setting_variables(BINARY)
    paths = {}
    check_kubernetes(known, uid, gid, port, paths)
    check_compose(known, port, paths)
    # The image's own HEALTHCHECK path.
    healthcheck = open(os.path.join(DEPLOY, "healthcheck.sh"), encoding="utf-8").read()
    for path in re.findall(r"\}(/api/[a-z/]+)", healthcheck):
        paths.setdefault(path, []).append(os.path.join(DEPLOY, "healthcheck.sh"))
    if not paths:
        problem(DEPLOY, "no probe or health check path found")
    check_paths(paths)
    for line in problems:
        print(line)
    if problems:
        print(f"check_manifests: {len(problems)} problem(s)")
        sys.exit(1)
    print(f"check_manifests: deploy/ is consistent ({len(paths)} probe path(s) served: "
          f"{', '.join(sorted(paths))})")


if __name__ == "__main__":
    main()
