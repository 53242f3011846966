#!/usr/bin/env python3
"""Checks docker-compose.yml's structure and cross-references (no Docker engine runs on our build
machines, so this is how the deployment shape is tested). Exits non-zero with the reasons."""
import re
import sys
import yaml

path = sys.argv[1] if len(sys.argv) > 1 else "docker-compose.yml"
doc = yaml.safe_load(open(path))
services = doc.get("services", {})
problems = []

def need(cond, message):
    if not cond:
        problems.append(message)

for name in ["zookeeper", "kafka1", "kafka2", "kafka3", "kafka-init", "gateway"]:
    need(name in services, f"service {name} missing")

brokers = [s for s in ["kafka1", "kafka2", "kafka3"] if s in services]
ids = set()
for b in brokers:
    svc = services[b]
    env = svc.get("environment", {})
    image = svc.get("image", "")
    need(re.search(r":\d+\.\d+\.\d+$", image) is not None, f"{b}: image {image!r} not pinned to a version")
    need(env.get("KAFKA_ZOOKEEPER_CONNECT", "").split(":")[0] == "zookeeper", f"{b}: not pointed at zookeeper")
    need(str(env.get("KAFKA_MIN_INSYNC_REPLICAS")) == "2", f"{b}: min.insync.replicas is not 2")
    need(f"//{b}:9092" in env.get("KAFKA_ADVERTISED_LISTENERS", ""), f"{b}: advertised listener is not {b}:9092")
    ids.add(env.get("KAFKA_BROKER_ID"))
    need("healthcheck" in svc, f"{b}: no healthcheck")
need(len(ids) == 3, "broker ids are not distinct")
need("healthcheck" in services.get("zookeeper", {}), "zookeeper: no healthcheck")
need(re.search(r":\d+\.\d+\.\d+$", services.get("zookeeper", {}).get("image", "")) is not None, "zookeeper: image not pinned")

init = " ".join(services.get("kafka-init", {}).get("command", []))
need("--partitions 6" in init, "kafka-init: topic not created with 6 partitions")
need("--replication-factor 3" in init, "kafka-init: replication factor is not 3")
need("min.insync.replicas=2" in init, "kafka-init: min.insync.replicas=2 missing")
need("transactions" in init, "kafka-init: topic transactions missing")

gw = services.get("gateway", {})
bootstrap = gw.get("environment", {}).get("KAFKA_BOOTSTRAP_SERVERS", "")
hosts = sorted(h.split(":")[0] for h in bootstrap.split(",") if h)
need(hosts == sorted(brokers), f"gateway bootstrap {bootstrap!r} does not list the three brokers")
need(all(h.endswith(":9092") for h in bootstrap.split(",")), "gateway bootstrap ports are not 9092")
need(gw.get("depends_on", {}).get("kafka-init", {}).get("condition") == "service_completed_successfully",
     "gateway does not wait for the topics")
need("8080:8080" in gw.get("ports", []), "gateway port 8080 not published")
need(str(gw.get("environment", {}).get("GATEWAY_PORT")) == "8080", "gateway does not listen on 8080")
need("healthcheck" in gw, "gateway: no healthcheck")
need(gw.get("build") in (".", {"context": "."}), "gateway not built from the Dockerfile")

dockerfile = open("Dockerfile").read()
need(re.search(r"^FROM swift:\S+ AS build", dockerfile, re.M) is not None, "Dockerfile: no Swift build stage")
need(len(re.findall(r"^FROM ", dockerfile, re.M)) >= 2, "Dockerfile: not multi-stage")
need("librdkafka1" in dockerfile, "Dockerfile: runtime lacks librdkafka")

if problems:
    print("\n".join(problems))
    sys.exit(1)
print("docker-compose.yml ok")
