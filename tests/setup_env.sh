# Sourced by the tests/setup_*.sh installers: the repo root as the working directory, where the
# test tools go ($TOOLS, .tools/ unless MCPPROXY_TEST_TOOLS says otherwise), npm's cache there,
# and the check that skips an install a stamp file says is complete.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
TOOLS="${MCPPROXY_TEST_TOOLS:-$PWD/.tools}"
export npm_config_cache="$TOOLS/npm-cache"

# Exit (successfully) when the stamp file $1 exists: that install completed before.
exit_if_ready() {
  if [ -f "$1" ]; then
    exit 0
  fi
}
