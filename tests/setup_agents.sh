#!/usr/bin/env bash
# Installs the real coding agents the end-to-end tests (tests/real_agents.rs) drive, pinned, into
# .tools/agents (not globally): Claude Code, Codex CLI and Gemini CLI. Idempotent: a completed
# install leaves .tools/agents/.ready-<pins> and is skipped next time. A failed install is reported
# and leaves no stamp; the tests then skip that agent and say why (they never pretend it ran).
set -uo pipefail
. "$(dirname "$0")/setup_env.sh"
DIR="$TOOLS/agents"
PINS="claude-code-2.1.332_codex-0.171.0_gemini-cli-0.61.0"
STAMP="$DIR/.ready-$PINS"
exit_if_ready "$STAMP"
mkdir -p "$DIR"
status=0
for pkg in @anthropic-ai/claude-code@2.1.332 @openai/codex@0.171.0 @google/gemini-cli@0.61.0; do
  echo "setup_agents: installing $pkg" >&2
  if ! npm install --prefix "$DIR" --no-audit --no-fund --loglevel=error "$pkg" >&2; then
    echo "setup_agents: installing $pkg failed" >&2
    status=1
  fi
done
bin="$DIR/node_modules/.bin"
for a in claude codex gemini; do
  if [ -x "$bin/$a" ]; then
    echo "setup_agents: $a $("$bin/$a" --version 2>&1 | head -1)" >&2
  else
    echo "setup_agents: $a is not installed" >&2
    status=1
  fi
done
if [ "$status" -eq 0 ]; then
  touch "$STAMP"
fi
exit "$status"
