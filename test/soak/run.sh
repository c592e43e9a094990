#!/usr/bin/env bash
# `npm run soak`: starts a Kafka broker of its own on 127.0.0.1 (its PID and data under
# .cache/kafka/soak-run, apart from the integration tests' broker), runs the soak against it, and
# stops the broker by its PID whatever happened. The soak's last line is its ledger.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
if [[ " $* " == *" --help "* || " $* " == *" -h "* ]]; then
  cat <<'USAGE'
Usage: npm run soak

One simulated day (72 runs x 121 places) on an accelerated clock against the hostile API server,
over a real Kafka broker started for it on 127.0.0.1 (stopped by its PID afterwards), with broker
restarts, a writer killed mid-batch and a disk-full episode. The last line is the ledger: every
(run, place) ends in one row, one rejection with its reason, or one failed/no-data outcome.
Exit status: 0 when nothing was duplicated or lost, 1 otherwise. Takes no options.
USAGE
  exit 0
fi
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
