#!/bin/sh
# Builds the VS Code extension package (.vsix) from this directory, offline once the
# pinned dependencies are installed (`npm ci`). Usage: ./package.sh [OUT.vsix]
# (default: prometeu-pbs-<version>.vsix here). Install it with
# `code --install-extension OUT.vsix`.
set -eu
cd "$(dirname "$0")"
if [ ! -x node_modules/.bin/vsce ]; then
  npm ci --ignore-scripts --no-audit --no-fund
fi
version=$(node -p "require('./package.json').version")
out=${1:-prometeu-pbs-$version.vsix}
# The workspace has no LICENSE file or public repository yet; vsce would stop to ask.
exec node_modules/.bin/vsce package --skip-license --allow-missing-repository --out "$out"
