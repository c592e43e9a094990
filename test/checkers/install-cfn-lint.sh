#!/bin/sh
# Installs cfn-lint (from PyPI, through pip) into a virtual environment under .cache/, where
# test/checkers/cfn-lint.ts looks for it. Idempotent: does nothing when the pinned version is there.
set -eu
case " $* " in *' --help '*|*' -h '*)
  cat <<'USAGE'
Usage: npm run setup:cfn-lint

Installs cfn-lint (a pinned version, from PyPI) into .cache/cfn-lint-venv for npm run test:cfn-lint.
Does nothing when it is there.
USAGE
  exit 0 ;;
esac
VERSION="${CFN_LINT_VERSION:-1.58.0}"
VENV="$(cd "$(dirname "$0")/../.." && pwd)/.cache/cfn-lint-venv"
if [ -x "$VENV/bin/cfn-lint" ] && [ "$("$VENV/bin/cfn-lint" --version 2>/dev/null)" = "cfn-lint $VERSION" ]; then
  exit 0
fi
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check "cfn-lint==$VERSION"
"$VENV/bin/cfn-lint" --version
