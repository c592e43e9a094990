#!/usr/bin/env bash
# `npm run bench`: starts a real Kafka broker on 127.0.0.1 for the Kafka benchmark (unless
# KAFKA_BROKERS already names one), runs every benchmark, and stops the broker by its PID.
# Arguments pick benchmarks by name (`npm run bench -- --help` lists them). Names are checked before
# any broker starts: --help, or a misspelt name (exit 2 with the list), starts nothing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
npx tsx test/bench/run.ts --validate "$@"

if [ -z "${KAFKA_BROKERS:-}" ] && { [ "$#" -eq 0 ] || [[ " $* " == *" kafka "* ]]; }; then
  trap 'test/integration/env/kafka.sh stop || true' EXIT
  KAFKA_BROKERS="$(test/integration/env/kafka.sh start)"
  export KAFKA_BROKERS
fi
npx tsx test/bench/run.ts "$@"
