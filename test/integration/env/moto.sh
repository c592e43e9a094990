#!/usr/bin/env bash
# The AWS API emulator for the integration tests: moto server (from PyPI, in a virtual environment
# under .cache/) on 127.0.0.1, reached by the real AWS SDK clients through AWS_ENDPOINT_URL.
#
#   moto.sh install   create .cache/moto-venv and install moto[server] once (MOTO_VERSION)
#   moto.sh start     start the server on a free port, wait until it answers; prints its URL
#   moto.sh stop      stop it by its PID
#
# Needs Python 3 with the venv module.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
MOTO_VERSION="${MOTO_VERSION:-5.2.5}"
VENV="$ROOT/.cache/moto-venv"
RUN="$ROOT/.cache/moto-run"

say() { echo "moto: $*" >&2; }

install() {
  if [ -x "$VENV/bin/moto_server" ] && [ -f "$VENV/.moto-$MOTO_VERSION" ]; then return 0; fi
  command -v python3 >/dev/null 2>&1 || { say "needs python3 on PATH"; exit 1; }
  say "installing moto[server]==$MOTO_VERSION into ${VENV#"$ROOT"/}"
  rm -rf "$VENV"
  mkdir -p "$(dirname "$VENV")"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION" >&2
  touch "$VENV/.moto-$MOTO_VERSION"
}

running_pid() {
  [ -f "$RUN/moto.pid" ] || return 1
  local pid
  pid="$(cat "$RUN/moto.pid")"
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

start() {
  install
  if pid="$(running_pid)"; then
    say "already running (pid $pid) on $(cat "$RUN/url")"
    cat "$RUN/url"
    return 0
  fi
  mkdir -p "$RUN"
  local port url
  port="${MOTO_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')}"
  url="http://127.0.0.1:$port"
  nohup "$VENV/bin/moto_server" -H 127.0.0.1 -p "$port" >"$RUN/moto.log" 2>&1 &
  local pid=$!
  echo "$pid" >"$RUN/moto.pid"
  echo "$url" >"$RUN/url"
  for _ in $(seq 1 120); do
    if ! kill -0 "$pid" 2>/dev/null; then
      say "moto server exited while starting:"; tail -n 30 "$RUN/moto.log" >&2; rm -f "$RUN/moto.pid"; exit 1
    fi
    if "$VENV/bin/python" -c "import urllib.request, sys; urllib.request.urlopen('$url/moto-api/data.json', timeout=1)" 2>/dev/null; then
      say "moto $MOTO_VERSION serving on $url (pid $pid)"
      echo "$url"
      return 0
    fi
    sleep 0.5
  done
  say "moto server did not answer within 60 s; stopping it"
  stop
  exit 1
}

stop() {
  local pid
  if pid="$(running_pid)"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    say "stopped moto server (pid $pid)"
  fi
  rm -f "$RUN/moto.pid" "$RUN/url"
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 install|start|stop" >&2; exit 2 ;;
esac
