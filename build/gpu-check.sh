#!/usr/bin/env bash
# GPU check: does SegML really run on CUDA and TensorRT, agree with the CPU, and how fast is it?
#
# The bundle: for a GPU host with the NVIDIA driver and CUDA 13 but no .NET and no ONNX Runtime C library.
#
#   build/gpu-check.sh bundle [OUT.tar.gz]
#       On a machine with the .NET SDK (and the package feed). Publishes a trimmed, self-contained `segml` for
#       linux-x64 with ONNX Runtime 1.30.0 (managed API and the GPU package's core libonnxruntime.so and
#       libonnxruntime_providers_shared.so; the rest of the repository stays on 1.31), checks that the trimmed segml
#       runs (--help; providers and eval on the fixture model when ../shared is there), and packs it with this
#       script into OUT.tar.gz (default artifacts/segml-gpu.tar.gz, folder segml-gpu/). Fails above 60 MiB.
#       The CUDA provider library (260 MiB in 1.30.0) is not in the bundle: the host's Python onnxruntime-gpu 1.30.0 wheel has it.
#
#   tar xzf segml-gpu.tar.gz && ./segml-gpu/gpu-check.sh run --providers-from DIR --model FILE [--cuda-libs DIR]... [segml providers options]
#       On the GPU host. DIR holds the host's ONNX Runtime 1.30.0 provider libraries, e.g. the wheel's
#       site-packages/onnxruntime/capi: libonnxruntime_providers_cuda.so (and optionally
#       libonnxruntime_providers_tensorrt.so); they are linked beside the bundle's libonnxruntime.so, where ONNX Runtime
#       looks for them. The wheel's version (DIR/../__init__.py) must be the bundle's. CUDA 13, cuBLAS and cuDNN 9 must
#       be loadable: from the system's library path, from --cuda-libs folders, or from the nvidia/*/lib folders of pip's
#       CUDA packages beside the wheel (site-packages/nvidia, added automatically). Before running, `run` lists every
#       library the CUDA provider needs that cannot be found. `--providers-from auto` asks the host's python3 where its
#       onnxruntime package is (and prints the providers that package itself reports).
#
# Without the bundle (a machine with the SDK, or the GPU libraries at hand):
#
#   build/gpu-check.sh publish [OUT]
#       Publishes `segml` self-contained for linux-x64 into OUT (default artifacts/gpu-check), with the CPU native
#       ONNX Runtime 1.31 it references anyway (~30 MB), and copies this script beside it.
#
#   OUT/gpu-check.sh run --ort-lib DIR --model FILE [--app OUT] [segml providers options]
#       DIR holds a complete ONNX Runtime 1.31 GPU build: libonnxruntime.so (from the GPU release archive's lib/ or the
#       GPU native package's runtimes/linux-x64/native; the Python wheel has none), libonnxruntime_providers_shared.so,
#       libonnxruntime_providers_cuda.so and optionally libonnxruntime_providers_tensorrt.so; all of them replace the
#       app's. --app defaults to this script's folder when it holds segml, else artifacts/gpu-check; it may also name a
#       plain build's output (bin/Release/net10.0), which loads them from runtimes/linux-x64/native.
#
# Every other option goes to `segml providers` (see `segml providers --help`), e.g.
#   --providers cpu,cuda,tensorrt --size 512 --batch 4 --iterations 50 --trt-cache /tmp/trt --fp16 --tiled-image 2048x1536
# It prints one JSON line per provider: "status" ok / fell back (with "reason") / failed, "max_abs_diff" and
# "argmax_agreement_pct" against the CPU on the same random batch, "images_per_s_iobinding" and "images_per_s_plain";
# with --tiled-image, sliding-window inference of one such image timed against its runs alone ("tiled_ms",
# "tiled_runs_alone_ms", "tiled_outside_runs_pct": the CPU's share around the GPU's runs).
# Exit code: segml's (0 every provider ran on itself, 1 one did not or bad input, 2 internal error).
#
# How `run` places the native libraries: .NET loads libonnxruntime.so from the application's own folder before any
# library path, and ONNX Runtime loads its provider libraries from libonnxruntime.so's folder. `run` therefore copies
# the app to a temporary folder and links the given libraries into each folder holding libonnxruntime.so (replacing
# the app's with --ort-lib, adding to them with --providers-from). LD_LIBRARY_PATH then lets the providers find CUDA,
# cuDNN and TensorRT. The app's own folder is left untouched.
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

# The ONNX Runtime version the bundle pins: that of the host's Python onnxruntime-gpu wheel whose CUDA provider it uses.
bundle_ort_version=1.30.0
bundle_limit_mib=60

bundle() {
  local repo out stage tmp size_bytes fixture
  repo=$(cd "$script_dir/.." && pwd)
  [ -f "$repo/src/Microsoft.ML.Segmentation.Cli/Microsoft.ML.Segmentation.Cli.csproj" ] || die "bundle runs from the repository's build/ folder."
  command -v dotnet >/dev/null || die "bundle needs the .NET SDK (dotnet)."
  out=${1:-$repo/artifacts/segml-gpu.tar.gz}
  case $out in *.tar.gz) ;; *) die "bundle writes a .tar.gz; '$out' is not one." ;; esac
  mkdir -p "$(dirname "$out")"
  out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/segml-gpu-bundle.XXXXXX")
  # Global, not local: the EXIT trap runs after this function has returned.
  bundle_tmp=$tmp
  trap 'rm -rf "$bundle_tmp"' EXIT
  stage=$tmp/segml-gpu
  # Its own artifacts folder: the 1.30 restore must not touch the repository's obj/ (which stays on 1.31).
  # SegmlTrimmed: the CLI's trimming settings (see its project file); SegmlGpuBundle: the GPU native package.
  dotnet publish "$repo/src/Microsoft.ML.Segmentation.Cli" -c Release -r linux-x64 --self-contained \
    -p:SegmlTrimmed=true -p:SegmlGpuBundle=true -p:SegmlOnnxRuntimeVersion=$bundle_ort_version \
    --artifacts-path "$tmp/build" -p:DebugType=none -p:DebugSymbols=false -p:GenerateDocumentationFile=false \
    -nologo -v q -o "$stage" || die "the trimmed publish failed."
  [ -f "$stage/libonnxruntime.so" ] && [ -f "$stage/libonnxruntime_providers_shared.so" ] \
    || die "the publish has no libonnxruntime.so or libonnxruntime_providers_shared.so (is Microsoft.ML.OnnxRuntime.Gpu.Linux $bundle_ort_version restored?)."
  # The host supplies the CUDA provider (and TensorRT's); the Windows binaries, symbols and docs are dead weight.
  rm -f "$stage"/libonnxruntime_providers_cuda.so "$stage"/libonnxruntime_providers_tensorrt.so \
    "$stage"/*.dll.so "$stage"/onnxruntime*.dll "$stage"/*.dbg "$stage"/*.xml "$stage"/*.pdb
  cp "${BASH_SOURCE[0]}" "$stage/gpu-check.sh"
  chmod +x "$stage/gpu-check.sh"
  printf 'segml GPU bundle: ONNX Runtime %s (managed and native); needs libonnxruntime_providers_cuda.so %s from the host.\n' \
    "$bundle_ort_version" "$bundle_ort_version" > "$stage/BUNDLE.txt"

  # The trimmed segml must still run: trimming removes what static analysis cannot see, and reflection hides a lot.
  "$stage/segml" --help >/dev/null || die "the trimmed segml does not start (segml --help failed)."
  fixture="$repo/../shared/fixtures/scenes-lraspp"
  if [ -f "$fixture/model.onnx" ]; then
    local lines
    lines=$("$stage/segml" providers --model "$fixture/model.onnx" --providers cpu,cuda --size 32 --batch 1 --iterations 1 --warmup 0 --tiled-image 80x48 2>/dev/null) || true
    echo "$lines" | grep -q '"provider":"cpu".*"tiled_argmax_agreement_pct":100,.*"status":"ok"' || die "the trimmed segml providers gave no CPU line with a tiled timing: $lines"
    echo "$lines" | grep -q '"provider":"cuda".*"status":"\(fell back\|ok\)"' || die "the trimmed segml providers gave no CUDA line: $lines"
    "$stage/segml" eval --model "$fixture/model.onnx" --images "$fixture/images" --masks "$fixture/masks" --classes 5 \
      --json "$tmp/eval.json" --report "$tmp/report" >/dev/null 2>&1 || die "the trimmed segml eval failed on $fixture."
    grep -q '"meanIoU"' "$tmp/eval.json" || die "the trimmed segml eval wrote no meanIoU."
    echo "gpu-check: the trimmed segml ran --help, providers (cpu, cuda) and eval (with a report) on $fixture" >&2
  else
    echo "gpu-check: note: no fixture at $fixture; only segml --help was run on the trimmed build." >&2
  fi

  tar -C "$tmp" -czf "$out" segml-gpu
  size_bytes=$(stat -c %s "$out")
  echo "gpu-check: bundle $out: $(awk -v b="$size_bytes" 'BEGIN { printf "%.1f MiB packed", b / 1048576 }'), $(du -sm "$stage" | cut -f1) MiB unpacked"
  [ "$size_bytes" -le $((bundle_limit_mib * 1048576)) ] || die "the bundle is over ${bundle_limit_mib} MiB."
  echo "gpu-check: on the GPU host run:"
  echo "  tar xzf $(basename "$out") && ./segml-gpu/gpu-check.sh run --providers-from /path/to/site-packages/onnxruntime/capi --model model.onnx"
}

# The capi folder of the host's Python onnxruntime package (printed), and what that package says it can run (stderr).
wheel_capi() {
  local python
  python=$(command -v python3 || command -v python) || return 1
  "$python" - <<'PY'
import os, sys
try:
    import onnxruntime
except ImportError:
    sys.exit(1)
print(os.path.join(os.path.dirname(onnxruntime.__file__), "capi"))
print("gpu-check: host python onnxruntime %s at %s reports providers %s"
      % (onnxruntime.__version__, os.path.dirname(onnxruntime.__file__), ",".join(onnxruntime.get_available_providers())), file=sys.stderr)
PY
}

# Libraries that the given shared object needs and the dynamic loader cannot find (one name a line).
missing_libraries() {
  command -v ldd >/dev/null || return 0
  LD_LIBRARY_PATH="$1" ldd "$2" 2>/dev/null | awk '/not found/ { print $1 }'
}

run() {
  local ort_lib="" providers_from="" app="" args=() cuda_libs=()
  while [ $# -gt 0 ]; do
    case $1 in
      --ort-lib) [ $# -ge 2 ] || die "--ort-lib needs a folder."; ort_lib=$2; shift 2 ;;
      --ort-lib=*) ort_lib=${1#*=}; shift ;;
      --providers-from) [ $# -ge 2 ] || die "--providers-from needs a folder."; providers_from=$2; shift 2 ;;
      --providers-from=*) providers_from=${1#*=}; shift ;;
      --cuda-libs) [ $# -ge 2 ] || die "--cuda-libs needs a folder."; cuda_libs+=("$2"); shift 2 ;;
      --cuda-libs=*) cuda_libs+=("${1#*=}"); shift ;;
      --app) [ $# -ge 2 ] || die "--app needs a folder."; app=$2; shift 2 ;;
      --app=*) app=${1#*=}; shift ;;
      *) args+=("$1"); shift ;;
    esac
  done
  [ -n "$ort_lib" ] || [ -n "$providers_from" ] \
    || die "run needs --providers-from DIR (the bundle: the folder of the host's libonnxruntime_providers_cuda.so, e.g. site-packages/onnxruntime/capi) or --ort-lib DIR (a complete ONNX Runtime GPU build)."
  [ -z "$ort_lib" ] || [ -z "$providers_from" ] || die "give --providers-from or --ort-lib, not both."
  if [ "$providers_from" = auto ]; then
    providers_from=$(wheel_capi) || die "--providers-from auto: no python3 with an onnxruntime package here; give the folder of libonnxruntime_providers_cuda.so instead."
  fi
  if [ -z "$app" ]; then
    if [ -x "$script_dir/segml" ]; then app=$script_dir; else app=$script_dir/../artifacts/gpu-check; fi
  fi
  [ -x "$app/segml" ] || die "'$app' holds no published segml; run 'build/gpu-check.sh bundle' (or publish) first."

  local source_dir wanted=() lib
  if [ -n "$ort_lib" ]; then
    [ -f "$ort_lib/libonnxruntime.so" ] || die "'$ort_lib' has no libonnxruntime.so."
    source_dir=$(cd "$ort_lib" && pwd)
    for f in "$source_dir"/libonnxruntime*.so*; do wanted+=("$f"); done
  else
    [ -d "$providers_from" ] || die "--providers-from '$providers_from' is not a folder."
    [ -n "$(find "$app" -name libonnxruntime.so -print -quit)" ] \
      || die "'$app' has no libonnxruntime.so of its own; --providers-from needs the bundle (or use --ort-lib)."
    source_dir=$(cd "$providers_from" && pwd)
    local bundled="" host=""
    [ -f "$app/BUNDLE.txt" ] && bundled=$(sed -n 's/.*ONNX Runtime \([0-9.]*\) .*/\1/p' "$app/BUNDLE.txt")
    [ -f "$source_dir/../__init__.py" ] && host=$(sed -n 's/^__version__ *= *["'\'']\([^"'\'']*\)["'\''].*/\1/p' "$source_dir/../__init__.py")
    if [ -n "$bundled" ] && [ -n "$host" ] && [ "$bundled" != "$host" ]; then
      die "the bundle's ONNX Runtime is $bundled but '$source_dir' is onnxruntime $host: the provider library must be the same version (install onnxruntime-gpu==$bundled)."
    fi
    [ -n "$host" ] && echo "gpu-check: host wheel onnxruntime $host in $source_dir" >&2
    for lib in libonnxruntime_providers_cuda.so libonnxruntime_providers_tensorrt.so; do
      if [ -f "$source_dir/$lib" ]; then
        wanted+=("$source_dir/$lib")
      else
        echo "gpu-check: note: '$source_dir' has no $lib; the providers that need it will report a fallback." >&2
      fi
    done
    # pip's CUDA packages (nvidia-cuda-runtime, nvidia-cublas, nvidia-cudnn, ...) beside the wheel.
    local nvidia
    for nvidia in "$source_dir"/../../nvidia/*/lib; do
      [ -d "$nvidia" ] && cuda_libs+=("$(cd "$nvidia" && pwd)")
    done
  fi
  if [ -n "$ort_lib" ]; then
    for lib in libonnxruntime_providers_shared.so libonnxruntime_providers_cuda.so libonnxruntime_providers_tensorrt.so; do
      [ -f "$source_dir/$lib" ] || echo "gpu-check: note: '$source_dir' has no $lib; the providers that need it will report a fallback." >&2
    done
  fi

  local library_path=$source_dir d
  for d in "${cuda_libs[@]}"; do
    [ -d "$d" ] || die "--cuda-libs '$d' is not a folder."
    library_path=$library_path:$d
  done
  library_path=$library_path${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  # What the CUDA provider cannot load would otherwise surface as a one-line fallback reason; name it up front.
  if [ -f "$source_dir/libonnxruntime_providers_cuda.so" ]; then
    local missing
    missing=$(missing_libraries "$library_path" "$source_dir/libonnxruntime_providers_cuda.so" | sort -u | tr '\n' ' ')
    if [ -n "$missing" ]; then
      echo "gpu-check: the CUDA provider needs libraries that cannot be found: $missing" >&2
      echo "gpu-check: install CUDA 13 and cuDNN 9 (or pip's nvidia-* packages), or pass their lib folders with --cuda-libs DIR; cuda will report a fallback." >&2
    fi
  fi

  # Global, not local: the EXIT trap runs after this function has returned.
  work=$(mktemp -d "${TMPDIR:-/tmp}/segml-gpu-check.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  cp -a "$app/." "$work/"
  # Into each folder the app loads libonnxruntime.so from: the top folder of a published app, runtimes/linux-x64/native
  # of a plain build (whose deps.json names that path, so a copy in the top folder would be ignored).
  local linked=0 f target
  local targets=()
  while IFS= read -r -d '' f; do targets+=("$(dirname "$f")"); done < <(find "$work" -name libonnxruntime.so -print0)
  [ ${#targets[@]} -gt 0 ] || targets=("$work")
  for target in "${targets[@]}"; do
    for f in "${wanted[@]}"; do
      ln -sfn "$f" "$target/$(basename "$f")"
      linked=$((linked + 1))
    done
  done
  echo "gpu-check: segml from $app with ONNX Runtime libraries from $source_dir ($linked link(s) in ${#targets[@]} folder(s))" >&2
  set +e
  LD_LIBRARY_PATH="$library_path" "$work/segml" providers "${args[@]}"
  local rc=$?
  set -e
  return $rc
}

case ${1:-} in
  bundle) shift; bundle "$@" ;;
  publish) shift; publish "$@" ;;
  run) shift; run "$@" ;;
  -h|--help|help) usage ;;
  *) usage >&2; exit 2 ;;
esac
