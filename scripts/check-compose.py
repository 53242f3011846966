#!/usr/bin/env python3
"""Checks docker-compose.yml's structure and cross-references, and the Dockerfile it builds. No Docker
engine runs on our build machines, so this is how the deployment shape is tested (RepositoryChecks).

    check-compose.py [--gateway-binary PATH | --gateway-help FILE] [--root REPOSITORY] [docker-compose.yml]

With --gateway-binary (or its `serve --help` text in FILE, `-` for stdin), the topics the gateways
need are read from `gateway serve --help` (every setting whose variable ends in _TOPIC, with its
default), so a topic setting added to the gateway must be created by the topic job too. First of all the file is validated against the Compose
Specification's JSON schema (scripts/compose-spec.json, from compose-spec/compose-spec at commit
170098ba07d9f53c383a41bfd4c5166b0a4529a6, Apache-2.0), which catches misspelt keys and wrong types.
Exits non-zero with one line per problem."""
import argparse
import json
import os
import re
import subprocess
import sys

import jsonschema
import yaml

parser = argparse.ArgumentParser()
parser.add_argument("compose", nargs="?", default="docker-compose.yml")
parser.add_argument("--gateway-binary")
parser.add_argument("--gateway-help")
parser.add_argument("--root", help="the repository (relative mounts, Dockerfile); default: the compose file's folder")
args = parser.parse_args()

root = os.path.abspath(args.root or os.path.dirname(os.path.abspath(args.compose)))
doc = yaml.safe_load(open(args.compose))
services = doc.get("services") or {}
problems = []

schema = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "compose-spec.json")))
for error in sorted(jsonschema.Draft7Validator(schema).iter_errors(doc), key=lambda error: list(map(str, error.path))):
    problems.append(f"schema: {'.'.join(map(str, error.path)) or '(top)'}: {error.message[:200]}")


def need(condition, message):
    if not condition:
        problems.append(message)


def env_of(service):
    """A service's environment as a dict (compose allows a list of NAME=value too)."""
    env = services.get(service, {}).get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {key: str(value) for key, value in env.items()}


def depends_on(service):
    """{dependency: condition}; the short list form means service_started."""
    deps = services[service].get("depends_on") or {}
    if isinstance(deps, list):
        return {name: "service_started" for name in deps}
    return {name: (spec or {}).get("condition", "service_started") for name, spec in deps.items()}


def published_ports(service):
    """[(host port, container port)] from "host:container" entries."""
    pairs = []
    for entry in services[service].get("ports") or []:
        parts = str(entry).split("/")[0].split(":")
        need(len(parts) >= 2, f"{service}: port {entry!r} publishes no fixed host port")
        if len(parts) >= 2:
            pairs.append((int(parts[-2]), int(parts[-1])))
    return pairs


def mounts(service):
    """{container path: host path (absolute)} of its bind mounts."""
    result = {}
    for volume in services[service].get("volumes") or []:
        parts = str(volume).split(":")
        if len(parts) >= 2 and parts[0].startswith((".", "/")):
            result[parts[1]] = os.path.normpath(os.path.join(root, parts[0]))
    return result


def host_file(service, container_path):
    """The host file behind `container_path` in `service`, through its bind mounts, or None."""
    for target, source in mounts(service).items():
        if container_path == target:
            return source
        if container_path.startswith(target.rstrip("/") + "/"):
            return os.path.join(source, os.path.relpath(container_path, target))
    return None


def command_text(service):
    command = services[service].get("command") or []
    return command if isinstance(command, str) else "\n".join(str(part) for part in command)


# --- every service: pinned image, restart policy, health check, references -----------------------
one_shot = {name for name, svc in services.items() if str(svc.get("restart", "")) == "no"}
built = sorted(name for name, svc in services.items() if "build" in svc)
brokers = sorted(name for name, svc in services.items() if "KAFKA_BROKER_ID" in env_of(name))
need(len(brokers) == 3, f"expected three Kafka brokers, found {brokers}")
need(len(built) >= 2, f"expected two gateway instances built from the Dockerfile, found {built}")
for name in ["zookeeper", "kafka-init", "prometheus", "grafana"]:
    need(name in services, f"service {name} missing")

for name, svc in services.items():
    image = str(svc.get("image", ""))
    tag = image.rsplit(":", 1)[1] if ":" in image.split("/")[-1] else ""
    need(re.search(r"\d", tag) is not None and tag != "latest", f"{name}: image {image!r} not pinned to a version tag")
    need("restart" in svc, f"{name}: no restart policy")
    if name not in one_shot:
        check = svc.get("healthcheck") or {}
        need(bool(check.get("test")) and not check.get("disable", False), f"{name}: no healthcheck")
    for dependency, condition in depends_on(name).items():
        need(dependency in services, f"{name}: depends_on names {dependency!r}, which is no service")
        if dependency not in services:
            continue
        if condition == "service_healthy":
            need("healthcheck" in services[dependency], f"{name}: waits for {dependency} to be healthy, which has no healthcheck")
        if condition == "service_completed_successfully":
            need(dependency in one_shot, f"{name}: waits for {dependency} to complete, which is not a one-shot (restart: \"no\")")

host_ports = [(host, name) for name in services for host, _ in published_ports(name)]
seen = {}
for host, name in host_ports:
    need(host not in seen, f"host port {host} published by both {seen.get(host)} and {name}")
    seen.setdefault(host, name)

# --- ZooKeeper: a health check that can pass -----------------------------------------------------
zk = services.get("zookeeper", {})
zk_test = " ".join(zk.get("healthcheck", {}).get("test", [])) if isinstance(zk.get("healthcheck", {}).get("test"), list) \
    else str(zk.get("healthcheck", {}).get("test", ""))
whitelist = re.search(r"zookeeper\.4lw\.commands\.whitelist=(\S+)", env_of("zookeeper").get("KAFKA_OPTS", ""))
for word in ["ruok", "stat", "mntr", "conf", "cons", "envi", "dump", "wchs"]:
    if re.search(rf"\b{word}\b", zk_test):
        need(whitelist is not None and (word in whitelist.group(1).split(",") or whitelist.group(1) == "*"),
             f"zookeeper: health check uses the four-letter word {word!r}, which ZooKeeper 3.8 refuses unless whitelisted "
             f"(-Dzookeeper.4lw.commands.whitelist in KAFKA_OPTS); `cub zk-ready localhost:2181 10` needs none")
zk_port = env_of("zookeeper").get("ZOOKEEPER_CLIENT_PORT", "2181")

# --- brokers: ZooKeeper, replication, listeners ----------------------------------------------------
internal_endpoints = {}
for broker in brokers:
    env = env_of(broker)
    need(env.get("KAFKA_ZOOKEEPER_CONNECT") == f"zookeeper:{zk_port}", f"{broker}: KAFKA_ZOOKEEPER_CONNECT is not zookeeper:{zk_port}")
    need(depends_on(broker).get("zookeeper") == "service_healthy", f"{broker}: does not wait for a healthy zookeeper")
    need(env.get("KAFKA_MIN_INSYNC_REPLICAS") == "2", f"{broker}: min.insync.replicas is not 2")
    need(env.get("KAFKA_DEFAULT_REPLICATION_FACTOR") == "3", f"{broker}: default replication factor is not 3")
    need(env.get("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR") == "3", f"{broker}: offsets topic replication factor is not 3")
    protocols = dict(item.split(":", 1) for item in env.get("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "").split(",") if ":" in item)
    listeners = dict(re.findall(r"([A-Z_]+)://[^:,]*:(\d+)", env.get("KAFKA_LISTENERS", "")))
    advertised = dict((name, (host, port)) for name, host, port in re.findall(r"([A-Z_]+)://([^:,]+):(\d+)", env.get("KAFKA_ADVERTISED_LISTENERS", "")))
    for name in set(listeners) | set(advertised):
        need(name in protocols, f"{broker}: listener {name} has no security protocol in KAFKA_LISTENER_SECURITY_PROTOCOL_MAP")
    need(set(listeners) == set(advertised), f"{broker}: listeners {sorted(listeners)} and advertised listeners {sorted(advertised)} differ")
    inter = env.get("KAFKA_INTER_BROKER_LISTENER_NAME", "")
    need(advertised.get(inter, ("", ""))[0] == broker, f"{broker}: inter-broker listener {inter!r} is not advertised as {broker}")
    internal_endpoints[broker] = f"{broker}:{advertised.get(inter, ('', ''))[1]}"
    published = dict((container, host) for host, container in published_ports(broker))
    external = [(name, host, port) for name, (host, port) in advertised.items() if host == "localhost"]
    need(len(external) == 1, f"{broker}: advertises no external listener on localhost (clients on the host cannot reach it)")
    for name, _, port in external:
        need(listeners.get(name) == port, f"{broker}: external listener {name} advertised on {port} but listens on {listeners.get(name)}")
        need(published.get(int(port)) == int(port),
             f"{broker}: external port {port} is not published on the same host port (clients connect to what is advertised)")

# --- the topic job creates every topic the gateways use --------------------------------------------
topic_settings = {}
if args.gateway_binary or args.gateway_help:
    if args.gateway_binary:
        help_text = subprocess.run([args.gateway_binary, "serve", "--help"], capture_output=True, text=True, timeout=30).stdout
    else:
        help_text = (sys.stdin if args.gateway_help == "-" else open(args.gateway_help)).read()
    help_text = re.sub(r"\s+", " ", help_text)
    topic_settings = dict(re.findall(r"\((\w+_TOPIC); default ([^)\s]+)\)", help_text))
    need(len(topic_settings) >= 2, f"no topic settings found in `gateway serve --help`: {help_text[:200]}")
else:
    topic_settings = {"GATEWAY_TOPIC": "transactions", "GATEWAY_ALERTS_TOPIC": "transactions.alerts"}

created = {}
script = command_text("kafka-init")
# Shell variables the script assigns (create="kafka-topics ... --create ..."), expanded in its lines.
assigned = dict(re.findall(r'^\s*(\w+)="([^"]*)"', script, re.M))
for line in script.splitlines():
    for name, value in assigned.items():
        line = re.sub(r"\$+\{?" + name + r"\b\}?", lambda _, value=value: value, line)
    match = re.search(r"--topic\s+(\S+)", line)
    if match and "--create" in line:
        created[match.group(1)] = line
for topic, line in created.items():
    need(re.search(r"--replication-factor\s+3\b", line) is not None, f"kafka-init: {topic} not created with replication factor 3")
    need("min.insync.replicas=2" in line, f"kafka-init: {topic} not created with min.insync.replicas=2")
    need(re.search(r"--partitions\s+\d+", line) is not None, f"kafka-init: {topic} created without a partition count")
    if topic.endswith("monitor-state"):
        need("cleanup.policy=compact" in line, f"kafka-init: changelog topic {topic} is not compacted (cleanup.policy=compact)")
need("transactions.monitor-state" in created, "kafka-init: the monitor's changelog topic transactions.monitor-state is not created")
for gateway in built:
    env = env_of(gateway)
    for variable, default in topic_settings.items():
        topic = env.get(variable, default)
        need(topic in created, f"{gateway}: uses topic {topic!r} ({variable}), which kafka-init does not create")
    need(depends_on(gateway).get("kafka-init") == "service_completed_successfully", f"{gateway}: does not wait for the topics")

# --- gateways: brokers, consumer group, ports, shutdown ---------------------------------------------
gateway_ports = {}
groups = set()
for gateway in built:
    env = env_of(gateway)
    bootstrap = sorted(env.get("KAFKA_BOOTSTRAP_SERVERS", "").split(","))
    need(bootstrap == sorted(internal_endpoints.values()),
         f"{gateway}: KAFKA_BOOTSTRAP_SERVERS {bootstrap} is not the brokers' internal listeners {sorted(internal_endpoints.values())}")
    port = int(env.get("GATEWAY_PORT", "8080"))
    gateway_ports[gateway] = port
    need(env.get("GATEWAY_HOST", "0.0.0.0") == "0.0.0.0", f"{gateway}: does not listen on all interfaces")
    need(port in [container for _, container in published_ports(gateway)], f"{gateway}: its port {port} is not published")
    groups.add(env.get("GATEWAY_GROUP_ID", "gateway-monitor"))
    grace = str(services[gateway].get("stop_grace_period", "10s"))
    grace_seconds = int(re.fullmatch(r"(\d+)s", grace).group(1)) if re.fullmatch(r"(\d+)s", grace) else 0
    need(grace_seconds > int(env.get("GATEWAY_SHUTDOWN_TIMEOUT_SECONDS", "30")),
         f"{gateway}: stop_grace_period {grace} does not outlast its shutdown timeout (Docker would SIGKILL it mid-flush)")
    need(f":{port}/readyz" in " ".join(services[gateway].get("healthcheck", {}).get("test", [])), f"{gateway}: health check is not /readyz on its port")
need(len(groups) == 1, f"the gateways are in different consumer groups: {sorted(groups)}")

# --- Prometheus scrapes every gateway on its container port -----------------------------------------
prometheus_config = None
command = command_text("prometheus") if "prometheus" in services else ""
config_path = re.search(r"--config\.file=(\S+)", command)
if config_path:
    file = host_file("prometheus", config_path.group(1))
    need(file is not None and os.path.isfile(file), f"prometheus: config {config_path.group(1)} is not a file mounted from the repository")
    if file and os.path.isfile(file):
        prometheus_config = yaml.safe_load(open(file))
else:
    need(False, "prometheus: no --config.file")
if prometheus_config:
    targets = set()
    for job in prometheus_config.get("scrape_configs", []):
        for static in job.get("static_configs", []):
            targets.update(static.get("targets", []))
    wanted = {f"{gateway}:{port}" for gateway, port in gateway_ports.items()}
    need(wanted <= targets, f"prometheus: does not scrape {sorted(wanted - targets)}")
    for target in targets:
        host, _, port = target.partition(":")
        if host in services:
            need(host not in gateway_ports or int(port) == gateway_ports[host], f"prometheus: target {target} is not the gateway's port")
        else:
            need(host == "localhost", f"prometheus: target {target} names no service")

# --- Grafana: the data source is this Prometheus, the dashboards are mounted where provisioned ------
if "grafana" in services:
    datasources = host_file("grafana", "/etc/grafana/provisioning/datasources")
    providers = host_file("grafana", "/etc/grafana/provisioning/dashboards")
    need(datasources is not None and os.path.isdir(datasources), "grafana: no provisioned data sources mounted")
    need(providers is not None and os.path.isdir(providers), "grafana: no provisioned dashboard providers mounted")
    if datasources and os.path.isdir(datasources):
        urls = [source.get("url") for name in sorted(os.listdir(datasources))
                for source in (yaml.safe_load(open(os.path.join(datasources, name))) or {}).get("datasources", [])]
        need("http://prometheus:9090" in urls, f"grafana: no data source points at the prometheus service: {urls}")
    if providers and os.path.isdir(providers):
        for name in sorted(os.listdir(providers)):
            for provider in (yaml.safe_load(open(os.path.join(providers, name))) or {}).get("providers", []):
                path = provider.get("options", {}).get("path", "")
                folder = host_file("grafana", path)
                need(folder is not None and os.path.isdir(folder) and any(f.endswith(".json") for f in os.listdir(folder)),
                     f"grafana: provider {provider.get('name')} loads {path}, where no dashboard is mounted")

# --- the Dockerfile builds the gateway product with what Package.swift needs -------------------------
dockerfile = "\n".join(line for line in open(os.path.join(root, "Dockerfile")).read().splitlines() if not line.lstrip().startswith("#"))
stages = re.split(r"^FROM ", dockerfile, flags=re.M)[1:]
build_stage, runtime_stage = (stages[0], stages[-1]) if len(stages) >= 2 else ("", "")
package = open(os.path.join(root, "Package.swift")).read()
need(re.search(r"^FROM swift:\d+\.\d+(\.\d+)?-\S+ AS build", dockerfile, re.M) is not None, "Dockerfile: no pinned Swift build stage")
need(len(re.findall(r"^FROM ", dockerfile, re.M)) >= 2, "Dockerfile: not multi-stage")
product = re.search(r'\.executable\(name: "(\w+)", targets: \["Gateway"\]\)', package)
need(product is not None and f"--product {product.group(1)}" in dockerfile, "Dockerfile: does not build the gateway's executable product")
copied = set(re.findall(r"^COPY (?!--from)(\S+)", dockerfile, re.M))
declared = {"Package.swift", "Sources", "Tests"} | {path.split("/")[0] for path in re.findall(r'path: "([^"]+)"', package)}
need(declared <= copied, f"Dockerfile: does not copy {sorted(declared - copied)}, which Package.swift declares (SwiftPM refuses a missing target folder)")
for module, dev, runtime in [("rdkafka", "librdkafka-dev", "librdkafka1"), ("libcrypto", "libssl-dev", "libssl3")]:
    if f'pkgConfig: "{module}"' in package:
        need(re.search(rf"\b{dev}\b", build_stage) is not None, f"Dockerfile: build stage lacks {dev} (Package.swift links {module})")
        need(re.search(rf"\b{runtime}\b", runtime_stage) is not None, f"Dockerfile: runtime stage lacks {runtime} (the gateway links {module})")

if problems:
    print("\n".join(problems))
    sys.exit(1)
print(f"docker-compose.yml ok: {len(services)} services, topics {sorted(created)}, gateways {built}")
