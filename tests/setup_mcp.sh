#!/usr/bin/env bash
# Installs the real MCP servers and clients the proxy tests drive, into .tools/ (not globally).
# Idempotent: a completed install leaves .tools/.ready-<version> and is skipped next time.
set -euo pipefail
. "$(dirname "$0")/setup_env.sh"
STAMP="$TOOLS/.ready-3"
exit_if_ready "$STAMP"
mkdir -p "$TOOLS/npm"
(
  cd "$TOOLS/npm"
  [ -f package.json ] || npm init -y >/dev/null
  npm install --no-audit --no-fund --loglevel=error \
    @modelcontextprotocol/server-filesystem@2026.8.31 \
    @modelcontextprotocol/server-everything@2026.8.31 \
    @modelcontextprotocol/server-memory@2026.8.31 >&2
)
if [ ! -x "$TOOLS/venv/bin/python" ]; then
  python3 -m venv "$TOOLS/venv"
fi
"$TOOLS/venv/bin/pip" install --quiet --disable-pip-version-check mcp mcp-server-fetch mcp-server-git >&2
touch "$STAMP"
