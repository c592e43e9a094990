#!/usr/bin/env bash
# `npm run bench`: starts a real Kafka broker on 127.0.0.1 for the Kafka benchmark (unless
# KAFKA_BROKERS already names one), runs every benchmark, and stops the broker by its PID.
# Arguments pick benchmarks by name: collector, writer, kafka, views, replay, demo-days.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

if [ -z "${KAFKA_BROKERS:-}" ] && { [ "$#" -eq 0 ] || [[ " $* " == *" kafka "* ]]; }; then
  trap 'test/integration/env/kafka.sh stop || true' EXIT
  KAFKA_BROKERS="$(test/integration/env/kafka.sh start)"
  export KAFKA_BROKERS
fi
npx tsx test/bench/run.ts "$@"
