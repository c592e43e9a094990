#!/usr/bin/env bash
# `npm run soak`: starts a Kafka broker of its own on 127.0.0.1 (its PID and data under
# .cache/kafka/soak-run, apart from the integration tests' broker), runs the soak against it, and
# stops the broker by its PID whatever happened. The soak's last line is its ledger.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export KAFKA_RUN_DIR="$PWD/.cache/kafka/soak-run"
KAFKA_SH=test/integration/env/kafka.sh

stop_broker() {
  local status=$?
  "$KAFKA_SH" stop || true
  exit "$status"
}
trap stop_broker EXIT
trap 'exit 130' INT TERM

KAFKA_BROKERS="$("$KAFKA_SH" start)"
export KAFKA_BROKERS
node --import tsx test/soak/soak.ts "$@"
