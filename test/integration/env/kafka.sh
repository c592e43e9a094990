#!/usr/bin/env bash
# A real Apache Kafka broker for the integration tests, with no Docker: the broker jars come from
# Maven Central (through Maven, into .cache/kafka), and one KRaft node (broker + controller) runs
# on 127.0.0.1 with a fresh data folder each start.
#
#   kafka.sh fetch   download the jars once (KAFKA_VERSION, default below)
#   kafka.sh start   format storage, start the broker, wait until it serves; prints host:port
#   kafka.sh stop    stop the broker by its PID and delete its data
#   kafka.sh kill    kill the broker by its PID (SIGKILL, as a crash would), keeping its data
#   kafka.sh resume  start a killed broker again on the same data and port: topics, records and
#                    committed offsets survive
#   kafka.sh restart kill, then resume
#   kafka.sh pause   SIGSTOP the broker: alive, its port still accepting connections (the kernel
#                    completes the handshake), no request ever answered, as a hung broker or a
#                    network that drops traffic
#   kafka.sh continue SIGCONT a paused broker
#
# KAFKA_RUN_DIR chooses where the broker's PID and data live (default .cache/kafka/run), so the soak
# can run a broker of its own beside the integration tests' one.
#
# Needs Java 17+, Maven and Python 3 (for free ports and the cluster id).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
KAFKA_VERSION="${KAFKA_VERSION:-4.1.1}"
CACHE="$ROOT/.cache/kafka"
LIBS="$CACHE/libs-$KAFKA_VERSION"
RUN="${KAFKA_RUN_DIR:-$CACHE/run}"

say() { echo "kafka: $*" >&2; }

require() {
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || { say "needs '$tool' on PATH"; exit 1; }
  done
}

fetch() {
  if [ -f "$LIBS/.complete" ]; then return 0; fi
  require mvn java
  say "downloading Apache Kafka $KAFKA_VERSION broker jars with Maven into ${LIBS#"$ROOT"/}"
  rm -rf "$LIBS"
  mkdir -p "$CACHE"
  mvn -B -Dstyle.color=never -f "$HERE/kafka-pom.xml" \
    -Dkafka.version="$KAFKA_VERSION" \
    -Dmaven.repo.local="$CACHE/m2" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$LIBS" >"$CACHE/maven.log" 2>&1 || {
    say "maven could not fetch the broker jars:"; tail -n 30 "$CACHE/maven.log" >&2; exit 1;
  }
  touch "$LIBS/.complete"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

running_pid() {
  [ -f "$RUN/broker.pid" ] || return 1
  local pid
  pid="$(cat "$RUN/broker.pid")"
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

start() {
  fetch
  require java python3
  if pid="$(running_pid)"; then
    say "already running (pid $pid) on $(cat "$RUN/brokers")"
    cat "$RUN/brokers"
    return 0
  fi
  mkdir -p "$RUN"
  local data port controller_port cluster_id
  data="$(mktemp -d "$RUN/data.XXXXXX")"
  port="${KAFKA_PORT:-$(free_port)}"
  controller_port="$(free_port)"
  cat >"$data/server.properties" <<PROPERTIES
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$data/logs
num.partitions=1
# Topics are created explicitly, as on MSK Serverless: a test that relied on auto-creation fails.
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPERTIES
  # `--cluster-id=…` form: a random id may start with "-", which a separate argument would turn into an option.
  cluster_id="$(python3 -c 'import base64, uuid; print(base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("="))')"
  java -cp "$LIBS/*" kafka.tools.StorageTool format --cluster-id="$cluster_id" -c "$data/server.properties" >"$data/format.log" 2>&1 || {
    say "formatting storage failed:"; cat "$data/format.log" >&2; exit 1;
  }
  echo "$data" >"$RUN/data-dir"
  echo "127.0.0.1:$port" >"$RUN/brokers"
  launch "$data" "$port"
}

# Starts the broker on a formatted data folder and waits until it serves.
launch() {
  local data="$1" port="$2"
  rm -f "$data/broker.log"
  nohup java -Xms256m -Xmx768m -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$HERE/log4j2.properties" -Dkafka.logs.dir="$data" \
    -cp "$LIBS/*" kafka.Kafka "$data/server.properties" >"$data/stdout.log" 2>&1 &
  local pid=$!
  echo "$pid" >"$RUN/broker.pid"
  for _ in $(seq 1 180); do
    if ! kill -0 "$pid" 2>/dev/null; then
      say "broker exited while starting; last lines of its log:"
      tail -n 40 "$data/broker.log" "$data/stdout.log" >&2 2>/dev/null || true
      rm -f "$RUN/broker.pid"
      exit 1
    fi
    if grep -q "Kafka Server started" "$data/broker.log" 2>/dev/null; then
      say "broker $KAFKA_VERSION serving on 127.0.0.1:$port (pid $pid)"
      echo "127.0.0.1:$port"
      return 0
    fi
    sleep 0.5
  done
  say "broker did not start within 90 s; stopping it"
  stop
  exit 1
}

kill_broker() {
  local pid
  pid="$(running_pid)" || { say "no broker running to kill"; exit 1; }
  kill -KILL "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  say "killed broker (pid $pid); its data is kept"
}

resume() {
  local brokers
  if running_pid >/dev/null; then say "broker already running"; cat "$RUN/brokers"; return 0; fi
  [ -f "$RUN/data-dir" ] || { say "no broker data to resume"; exit 1; }
  brokers="$(cat "$RUN/brokers")"
  launch "$(cat "$RUN/data-dir")" "${brokers##*:}"
}

pause_broker() {
  local pid
  pid="$(running_pid)" || { say "no broker running to pause"; exit 1; }
  kill -STOP "$pid"
  say "paused broker (pid $pid)"
}

continue_broker() {
  local pid
  pid="$(running_pid)" || { say "no broker running to continue"; exit 1; }
  kill -CONT "$pid"
  say "continued broker (pid $pid)"
}

stop() {
  local pid data
  if pid="$(running_pid)"; then
    # A paused broker acts on SIGTERM only once it runs again.
    kill -CONT "$pid" 2>/dev/null || true
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then
      say "broker (pid $pid) ignored SIGTERM for 30 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    say "stopped broker (pid $pid)"
  fi
  if [ -f "$RUN/data-dir" ]; then
    data="$(cat "$RUN/data-dir")"
    case "$data" in "$RUN"/data.*) rm -rf "$data" ;; esac
  fi
  rm -f "$RUN/broker.pid" "$RUN/data-dir" "$RUN/brokers"
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  kill) kill_broker ;;
  resume) resume ;;
  restart) kill_broker; resume ;;
  pause) pause_broker ;;
  continue) continue_broker ;;
  *) echo "usage: $0 fetch|start|stop|kill|resume|restart|pause|continue" >&2; exit 2 ;;
esac
