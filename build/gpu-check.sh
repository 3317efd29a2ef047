#!/usr/bin/env bash
# GPU check: does SegML really run on CUDA and TensorRT, agree with the CPU, and how fast is it?
#
# Two steps, because the GPU host has no .NET SDK and the GPU native ONNX Runtime is too big to carry around (the CUDA
# provider library alone is 284 MB, and TensorRT's own libraries are larger still), while the host has them already:
#
#   build/gpu-check.sh publish [OUT]
#       On a machine with the .NET SDK. Publishes `segml` self-contained for linux-x64 into OUT (default
#       artifacts/gpu-check), with only the CPU native ONNX Runtime it references anyway (~30 MB), and copies this
#       script beside it. Copy OUT to the GPU host.
#
#   OUT/gpu-check.sh run --ort-lib DIR --model FILE [--app OUT] [segml providers options]
#       On the GPU host, no SDK needed. DIR holds the host's ONNX Runtime 1.31 GPU libraries:
#         libonnxruntime.so                     (the GPU build: from the GPU release archive's lib/ folder or the
#                                                GPU native package's runtimes/linux-x64/native; not the Python wheel,
#                                                which has no libonnxruntime.so)
#         libonnxruntime_providers_shared.so
#         libonnxruntime_providers_cuda.so
#         libonnxruntime_providers_tensorrt.so  (optional: without it the TensorRT line reports its fallback)
#       and CUDA 13, cuDNN 9 and TensorRT must be loadable (the system's library path, or DIR itself).
#       --app defaults to this script's folder when it holds segml (the published copy), else artifacts/gpu-check.
#       Every other option goes to `segml providers` (see `segml providers --help`), e.g.
#         --providers cpu,cuda,tensorrt --size 512 --batch 4 --iterations 50 --trt-cache /tmp/trt --fp16
#       It prints one JSON line per provider: "status" ok / fell back (with "reason") / failed, "max_abs_diff" and
#       "argmax_agreement_pct" against the CPU on the same random batch, "images_per_s_iobinding" and
#       "images_per_s_plain". Exit code: segml's (0 every provider ran on itself, 1 one did not or bad input, 2 internal error).
#
# How `run` swaps the native library: .NET loads libonnxruntime.so from the application's own folder before any
# library path, so LD_LIBRARY_PATH alone would keep the published CPU build. `run` therefore copies the published
# folder to a temporary one and replaces its ONNX Runtime files with symbolic links to DIR's (`--app` may also name a
# plain build's output, bin/Release/net10.0, which loads them from runtimes/linux-x64/native instead). The links keep the
# provider libraries beside libonnxruntime.so (ONNX Runtime looks for them next to itself), and LD_LIBRARY_PATH=DIR
# lets them find CUDA, cuDNN and TensorRT when those sit in DIR too. The published folder itself is left untouched.
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d' | sed 's/^# \{0,1\}//'
}

die() { echo "gpu-check: $*" >&2; exit 2; }

publish() {
  local repo out
  repo=$(cd "$script_dir/.." && pwd)
  [ -f "$repo/src/Microsoft.ML.Segmentation.Cli/Microsoft.ML.Segmentation.Cli.csproj" ] || die "publish runs from the repository's build/ folder."
  out=${1:-$repo/artifacts/gpu-check}
  command -v dotnet >/dev/null || die "publish needs the .NET SDK (dotnet)."
  # No debug symbols: the folder is meant to be copied to another machine, and smaller is quicker.
  dotnet publish "$repo/src/Microsoft.ML.Segmentation.Cli" -c Release -r linux-x64 --self-contained \
    -p:DebugType=none -p:DebugSymbols=false -nologo -v q -o "$out"
  # The CPU package's props copy its Windows binaries into any x64 output, Linux included: they are dead weight here.
  rm -f "$out/onnxruntime.dll" "$out/onnxruntime_providers_shared.dll"
  cp "${BASH_SOURCE[0]}" "$out/gpu-check.sh"
  chmod +x "$out/gpu-check.sh"
  echo "gpu-check: published to $out ($(du -sh "$out" | cut -f1)); on the GPU host run:"
  echo "  $out/gpu-check.sh run --ort-lib /path/to/onnxruntime-gpu/lib --model model.onnx"
}

run() {
  local ort_lib="" app="" args=()
  while [ $# -gt 0 ]; do
    case $1 in
      --ort-lib) [ $# -ge 2 ] || die "--ort-lib needs a folder."; ort_lib=$2; shift 2 ;;
      --ort-lib=*) ort_lib=${1#*=}; shift ;;
      --app) [ $# -ge 2 ] || die "--app needs a folder."; app=$2; shift 2 ;;
      --app=*) app=${1#*=}; shift ;;
      *) args+=("$1"); shift ;;
    esac
  done
  [ -n "$ort_lib" ] || die "run needs --ort-lib DIR, the folder of the host's ONNX Runtime GPU libraries."
  [ -f "$ort_lib/libonnxruntime.so" ] || die "'$ort_lib' has no libonnxruntime.so."
  ort_lib=$(cd "$ort_lib" && pwd)
  if [ -z "$app" ]; then
    if [ -x "$script_dir/segml" ]; then app=$script_dir; else app=$script_dir/../artifacts/gpu-check; fi
  fi
  [ -x "$app/segml" ] || die "'$app' holds no published segml; run 'build/gpu-check.sh publish' first."
  for lib in libonnxruntime_providers_shared.so libonnxruntime_providers_cuda.so libonnxruntime_providers_tensorrt.so; do
    [ -f "$ort_lib/$lib" ] || echo "gpu-check: note: '$ort_lib' has no $lib; the providers that need it will report a fallback." >&2
  done

  # Global, not local: the EXIT trap runs after this function has returned.
  work=$(mktemp -d "${TMPDIR:-/tmp}/segml-gpu-check.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  cp -a "$app/." "$work/"
  # Every ONNX Runtime file of DIR (with its versioned names, e.g. libonnxruntime.so.1) replaces or joins the app's,
  # in each folder the app loads libonnxruntime.so from: the top folder of a published app, runtimes/linux-x64/native
  # of a plain build (whose deps.json names that path, so a copy in the top folder would be ignored).
  local linked=0 f target
  local targets=()
  while IFS= read -r -d '' f; do targets+=("$(dirname "$f")"); done < <(find "$work" -name libonnxruntime.so -print0)
  [ ${#targets[@]} -gt 0 ] || targets=("$work")
  for target in "${targets[@]}"; do
    for f in "$ort_lib"/libonnxruntime*.so*; do
      ln -sfn "$f" "$target/$(basename "$f")"
      linked=$((linked + 1))
    done
  done
  echo "gpu-check: segml from $app with ONNX Runtime from $ort_lib ($linked link(s) in ${#targets[@]} folder(s))" >&2
  set +e
  LD_LIBRARY_PATH="$ort_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$work/segml" providers "${args[@]}"
  local rc=$?
  set -e
  return $rc
}

case ${1:-} in
  publish) shift; publish "$@" ;;
  run) shift; run "$@" ;;
  -h|--help|help) usage ;;
  *) usage >&2; exit 2 ;;
esac
