#!/usr/bin/env bash
# `npm run test:integration`: starts a real Kafka broker and moto server on 127.0.0.1, runs the
# integration tests against them, and stops both by their PIDs, whatever the tests did.
# Extra arguments are passed to node's test runner (e.g. a single test file).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
if [[ " $* " == *" --help "* || " $* " == *" -h "* ]]; then
  cat <<'USAGE'
Usage: npm run test:integration [-- FILE …]

Starts a real Kafka broker and a moto server on 127.0.0.1, runs the integration tests (all of
test/integration, or the FILEs given) one file at a time, and stops both by their PIDs.
USAGE
  exit 0
fi
ENV_DIR=test/integration/env

stop_services() {
  local status=$?
  "$ENV_DIR/moto.sh" stop || true
  "$ENV_DIR/kafka.sh" stop || true
  exit "$status"
}
trap stop_services EXIT
trap 'exit 130' INT TERM

KAFKA_BROKERS="$("$ENV_DIR/kafka.sh" start)"
AWS_ENDPOINT_URL="$("$ENV_DIR/moto.sh" start)"

# The SDK clients reach moto with fake credentials; nothing may fall through to a real account.
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_DEFAULT_PROFILE
export KAFKA_BROKERS AWS_ENDPOINT_URL
export AWS_REGION=ap-northeast-2 AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_EC2_METADATA_DISABLED=true

if [ "$#" -gt 0 ]; then
  files=("$@")
else
  mapfile -t files < <(find test/integration -name '*.test.ts' | sort)
  # A full run records the AWS calls anew for the access proof (npm run test:access); a run of
  # some files replaces only their part of the record.
  rm -rf test-artifacts/access-record
fi
# One file at a time: the files share one broker and one moto, and each waits on its consumers.
node --import tsx --test --test-concurrency=1 "${files[@]}"
