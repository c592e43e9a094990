#!/bin/sh
# Installs the two independent Parquet readers the timestamp tests use (test/infra/parquet-readers/),
# from PyPI into one virtual environment under .cache/ (like install-checkers.sh):
#   pyarrow  Apache Arrow's C++ Parquet implementation: the file's physical and logical types
#   pyspark  Apache Spark (on the machine's Java 17): the engine that reads the values as Spark
#            and Hive-compatible engines do, and whose own default timestamp output is INT96
# Idempotent: does nothing when the pinned versions are there.
set -eu
case " $* " in *' --help '*|*' -h '*)
  cat <<'USAGE'
Usage: npm run setup:parquet-readers

Installs pyarrow and pyspark (pinned versions, from PyPI) into .cache/parquet-readers-venv for
npm run test:parquet-readers. Does nothing when they are there.
USAGE
  exit 0 ;;
esac
PYARROW_VERSION="${PYARROW_VERSION:-26.0.1}"
PYSPARK_VERSION="${PYSPARK_VERSION:-4.3.0}"
VENV="$(cd "$(dirname "$0")/../.." && pwd)/.cache/parquet-readers-venv"
installed() {
  "$VENV/bin/python" -m pip show "$1" 2>/dev/null | sed -n 's/^Version: //p'
}
if [ -x "$VENV/bin/python" ] && [ "$(installed pyarrow)" = "$PYARROW_VERSION" ] &&
  [ "$(installed pyspark)" = "$PYSPARK_VERSION" ]; then
  exit 0
fi
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --disable-pip-version-check \
  "pyarrow==$PYARROW_VERSION" "pyspark==$PYSPARK_VERSION"
echo "pyarrow $(installed pyarrow), pyspark $(installed pyspark)"
