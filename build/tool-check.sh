#!/usr/bin/env bash
# .NET tool check: packs segml (Release, already built) into a temp folder, installs it from that folder alone with
# `dotnet tool install --tool-path`, and runs the installed `segml --help`. Proves the package is a working tool:
# PackAsTool, the command name, and every runtime file the tool needs travel in the package.
# Usage: build/tool-check.sh   (exit code 0 when the installed tool printed its help)
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d "${TMPDIR:-/tmp}/segml-tool-check.XXXXXX")
# The package carries the ONNX Runtime natives (~170 MB): never leave it behind.
trap 'rm -rf "$work"' EXIT
dotnet pack src/Microsoft.ML.Segmentation.Cli -c Release --no-build -nologo -v quiet -o "$work/feed" >/dev/null
# Installed from outside the repository, so only the machine's package settings and the temp feed apply.
(cd "$work" && dotnet tool install --tool-path "$work/tools" --add-source "$work/feed" Microsoft.ML.Segmentation.Cli >/dev/null)
help=$("$work/tools/segml" --help)
echo "$help" | grep -q '^Commands:' || { echo "tool-check: the installed segml printed no command list" >&2; exit 1; }
echo "tool-check: installed segml from its package and ran 'segml --help'"
