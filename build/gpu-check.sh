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
#       The CUDA provider library (260 MiB in 1.30.0) is not in the bundle: the host's Python onnxruntime-gpu 1.30.0 wheel
#       has it, or device-pack (below) carries it.
#
#   tar xzf segml-gpu.tar.gz && ./segml-gpu/gpu-check.sh run --providers-from DIR --model FILE [--cuda-libs DIR]... [segml providers options]
#       On the GPU host. DIR holds the host's ONNX Runtime 1.30.0 provider libraries, e.g. the wheel's
#       site-packages/onnxruntime/capi: libonnxruntime_providers_cuda.so (and optionally
#       libonnxruntime_providers_tensorrt.so); they are linked beside the bundle's libonnxruntime.so, where ONNX Runtime
#       looks for them. The wheel's version (DIR/../__init__.py, or DIR/PROVIDER.txt from device-pack) must be the bundle's. CUDA 13, cuBLAS and cuDNN 9 must
#       be loadable: from the system's library path, from --cuda-libs folders, or from the nvidia/*/lib folders of pip's
#       CUDA packages beside the wheel (site-packages/nvidia, added automatically). Before running, `run` lists every
#       library the CUDA provider needs that cannot be found. `--providers-from auto` asks the host's python3 where its
#       onnxruntime package is (and prints the providers that package itself reports).
#
# When the GPU host has no CUDA provider library of its own (a Python onnxruntime CPU wheel, or none), it travels too:
#
#   build/gpu-check.sh device-pack OUTDIR [--arch 90] [--model FILE]... [--part-mib 48] [--bundle FILE]
#       Here. Builds the bundle (or takes --bundle), takes the CUDA and TensorRT provider libraries of the restored
#       Microsoft.ML.OnnxRuntime.Gpu.Linux 1.30.0 package, keeps only the cubins for --arch in the CUDA provider
#       (fatbin-keep-arch.py: 90 = sm_90, H100 and H200; 260 MiB -> 47 MiB xz-compressed), adds the models, packs it all
#       into one xz-compressed tar and splits that into OUTDIR/part1, part2, ... of at most --part-mib MiB each, every
#       part with a MANIFEST (its index, the count, SHA-256 of the part and of the whole). One part per transfer:
#       48 MiB leaves room for the repository itself in a transfer of 64 MiB (artifacts/ is ignored by git, so each
#       part travels only when the transfer names it).
#
#   build/gpu-check.sh device-stash PARTDIR [STASH]
#       On the GPU host, once per part as it arrives: checks the part against its MANIFEST and copies it into STASH
#       (default /tmp/segml-device); says which parts are there and which are missing.
#
#   build/gpu-check.sh device-unpack STASH DEST
#       On the GPU host, when every part is stashed: joins them, checks the whole against its SHA-256 and unpacks
#       DEST/segml-gpu (the bundle, with the packing version of this script), DEST/provider (the provider libraries with PROVIDER.txt) and DEST/models; then
#       DEST/segml-gpu/gpu-check.sh run --providers-from DEST/provider --cuda-libs auto --model DEST/models/FILE ...
#
#   --cuda-libs auto (with run) adds the nvidia/*/lib folders of the host python3's site-packages (pip's CUDA 13,
#   cuBLAS and cuDNN packages, e.g. those PyTorch brings) to the library path; SEGML_PYTHON names another python.
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
set -eEuo pipefail
# A command that fails where nothing checks it ends the script as an internal error (2), saying where: exit 1 is
# segml's "a provider did not run on itself".
trap 'echo "gpu-check: failed at line $LINENO: $BASH_COMMAND" >&2; exit 2' ERR

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
  # ldd fails on what is no dynamic object; then nothing can be said.
  { LD_LIBRARY_PATH="$1" ldd "$2" 2>/dev/null || true; } | awk '/not found/ { print $1 }'
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
    # A device-pack's provider folder says its version in PROVIDER.txt.
    [ -f "$source_dir/PROVIDER.txt" ] && host=$(sed -n 's/^ONNX Runtime \([0-9.]*\) .*/\1/p' "$source_dir/PROVIDER.txt")
    if [ -n "$bundled" ] && [ -n "$host" ] && [ "$bundled" != "$host" ]; then
      die "the bundle's ONNX Runtime is $bundled but '$source_dir' is onnxruntime $host: the provider library must be the same version (install onnxruntime-gpu==$bundled)."
    fi
    [ -n "$host" ] && echo "gpu-check: provider libraries of ONNX Runtime $host in $source_dir" >&2
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

  local library_path=$source_dir d expanded=()
  for d in "${cuda_libs[@]}"; do
    if [ "$d" = auto ]; then
      local found folder
      found=$(python_cuda_libs)
      [ -n "$found" ] || echo "gpu-check: note: --cuda-libs auto: the host's python3 has no site-packages/nvidia/*/lib folders." >&2
      [ -n "$found" ] && echo "gpu-check: --cuda-libs auto: $(echo "$found" | tr '\n' ' ')" >&2
      while IFS= read -r folder; do [ -n "$folder" ] && expanded+=("$folder"); done <<< "$found"
    else
      expanded+=("$d")
    fi
  done
  for d in "${expanded[@]}"; do
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

# The nvidia/*/lib folders of the host python3's site-packages (pip's CUDA packages), one a line.
python_cuda_libs() {
  local python
  python=${SEGML_PYTHON:-$(command -v python3 || command -v python)} || return 0
  echo "gpu-check: --cuda-libs auto asks $python" >&2
  "$python" - <<'PY'
import glob, os, site, sys
folders = list(site.getsitepackages()) + [site.getusersitepackages()] + sys.path
seen = set()
for folder in folders:
    for lib in sorted(glob.glob(os.path.join(folder, "nvidia", "*", "lib"))):
        real = os.path.realpath(lib)
        if os.path.isdir(real) and real not in seen:
            seen.add(real)
            print(real)
PY
}

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# The folder of the restored GPU native package's libraries (the bundle's publish restores it).
gpu_package_native() {
  echo "${NUGET_PACKAGES:-$HOME/.nuget/packages}/microsoft.ml.onnxruntime.gpu.linux/$bundle_ort_version/runtimes/linux-x64/native"
}

device_pack() {
  local out="" arch=90 part_mib=48 bundle_file="" models=()
  while [ $# -gt 0 ]; do
    case $1 in
      --arch) [ $# -ge 2 ] || die "--arch needs a value such as 90."; arch=$2; shift 2 ;;
      --model) [ $# -ge 2 ] || die "--model needs a file."; models+=("$2"); shift 2 ;;
      --part-mib) [ $# -ge 2 ] || die "--part-mib needs a number."; part_mib=$2; shift 2 ;;
      --bundle) [ $# -ge 2 ] || die "--bundle needs a file."; bundle_file=$2; shift 2 ;;
      -*) die "device-pack: unknown option '$1'." ;;
      *) [ -z "$out" ] || die "device-pack takes one OUTDIR ('$out', then '$1')."; out=$1; shift ;;
    esac
  done
  [ -n "$out" ] || die "device-pack needs OUTDIR, the folder the parts go to."
  case $part_mib in ''|*[!0-9]*|0) die "--part-mib '$part_mib' is not a positive whole number of MiB." ;; esac
  command -v python3 >/dev/null || die "device-pack needs python3 (for fatbin-keep-arch.py)."
  command -v xz >/dev/null || die "device-pack needs xz."
  local model
  for model in "${models[@]}"; do [ -f "$model" ] || die "--model '$model' is not a file."; done

  local tmp
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/segml-device-pack.XXXXXX")
  pack_tmp=$tmp
  trap 'rm -rf "$pack_tmp"' EXIT
  mkdir -p "$tmp/stage/provider" "$tmp/stage/models"
  if [ -n "$bundle_file" ]; then
    [ -f "$bundle_file" ] || die "--bundle '$bundle_file' is not a file."
    cp "$bundle_file" "$tmp/stage/segml-gpu.tar.gz"
  else
    # Not in an || list: there errexit would be off inside bundle.
    ( bundle "$tmp/stage/segml-gpu.tar.gz" )
  fi
  tar -xzf "$tmp/stage/segml-gpu.tar.gz" -C "$tmp/stage" && rm "$tmp/stage/segml-gpu.tar.gz"
  [ -x "$tmp/stage/segml-gpu/segml" ] || die "'${bundle_file:-the bundle}' is no segml-gpu bundle (no segml-gpu/segml)."
  # This script, not the bundle's copy: the payload is unpacked and run by the version that packed it.
  cp "${BASH_SOURCE[0]}" "$tmp/stage/segml-gpu/gpu-check.sh"

  local native
  native=${SEGML_GPU_NATIVE:-$(gpu_package_native)}
  [ -f "$native/libonnxruntime_providers_cuda.so" ] \
    || die "no libonnxruntime_providers_cuda.so in '$native' (run 'build/gpu-check.sh bundle' once: its publish restores Microsoft.ML.OnnxRuntime.Gpu.Linux $bundle_ort_version)."
  python3 "$script_dir/fatbin-keep-arch.py" "$native/libonnxruntime_providers_cuda.so" \
    "$tmp/stage/provider/libonnxruntime_providers_cuda.so" --arch "$arch" >&2 || die "could not keep sm_$arch's cubins."
  [ -f "$native/libonnxruntime_providers_tensorrt.so" ] && cp "$native/libonnxruntime_providers_tensorrt.so" "$tmp/stage/provider/"
  printf 'ONNX Runtime %s provider libraries (Microsoft.ML.OnnxRuntime.Gpu.Linux %s); CUDA provider cubins kept for sm_%s only.\n' \
    "$bundle_ort_version" "$bundle_ort_version" "$arch" > "$tmp/stage/provider/PROVIDER.txt"
  for model in "${models[@]}"; do cp "$model" "$tmp/stage/models/"; done

  echo "gpu-check: compressing the payload (xz; a minute or two)" >&2
  tar -C "$tmp/stage" -cf - . | xz -T2 -6 -c > "$tmp/payload.tar.xz"
  local whole count k part
  whole=$(sha256_of "$tmp/payload.tar.xz")
  ( cd "$tmp" && split -b "${part_mib}M" -d -a 3 payload.tar.xz piece. )
  count=$(find "$tmp" -maxdepth 1 -name 'piece.*' | wc -l)
  # Only earlier parts are replaced: OUTDIR may hold other things (the bundle it was given, say).
  mkdir -p "$out"
  local earlier
  for earlier in "$out"/part[0-9]*; do
    [ -f "$earlier/MANIFEST" ] && rm -rf "$earlier"
  done
  k=0
  for part in $(cd "$tmp" && ls piece.* | sort); do
    k=$((k + 1))
    mkdir -p "$out/part$k"
    mv "$tmp/$part" "$out/part$k/payload.part"
    printf 'segml-device-payload\npart %d\nparts %d\npart-sha256 %s\npayload-sha256 %s\n' \
      "$k" "$count" "$(sha256_of "$out/part$k/payload.part")" "$whole" > "$out/part$k/MANIFEST"
  done
  echo "gpu-check: device payload $(awk -v b="$(stat -c %s "$tmp/payload.tar.xz")" 'BEGIN { printf "%.1f MiB", b / 1048576 }') in $count part(s) under $out:"
  for k in $(seq 1 "$count"); do
    echo "  part$k: $(awk -v b="$(stat -c %s "$out/part$k/payload.part")" 'BEGIN { printf "%.1f MiB", b / 1048576 }')"
  done
  echo "gpu-check: on the GPU host, one transfer per part: build/gpu-check.sh device-stash PARTDIR; after the last, device-unpack /tmp/segml-device DEST."
}

# A MANIFEST's field (part, parts, part-sha256, payload-sha256).
manifest_field() { sed -n "s/^$2 //p" "$1"; }

device_stash() {
  local part_dir=${1:-} stash=${2:-/tmp/segml-device}
  [ -n "$part_dir" ] || die "device-stash needs PARTDIR (a folder with payload.part and MANIFEST)."
  [ -f "$part_dir/MANIFEST" ] && [ -f "$part_dir/payload.part" ] || die "'$part_dir' has no payload.part and MANIFEST (made by device-pack)."
  local k count want have
  k=$(manifest_field "$part_dir/MANIFEST" part)
  count=$(manifest_field "$part_dir/MANIFEST" parts)
  want=$(manifest_field "$part_dir/MANIFEST" part-sha256)
  have=$(sha256_of "$part_dir/payload.part")
  [ "$want" = "$have" ] || die "part $k of $count in '$part_dir' is damaged (SHA-256 $have, MANIFEST says $want): transfer it again."
  mkdir -p "$stash"
  local earlier
  earlier=$(find "$stash" -maxdepth 1 -name 'MANIFEST.*' -print -quit)
  if [ -z "$earlier" ]; then
    rm -f "$stash"/payload.part.* # parts without a MANIFEST: a copy cut short
  elif [ "$(manifest_field "$earlier" payload-sha256)" != "$(manifest_field "$part_dir/MANIFEST" payload-sha256)" ]; then
    echo "gpu-check: '$stash' held parts of another payload; they are removed." >&2
    rm -f "$stash"/payload.part.* "$stash"/MANIFEST.*
  fi
  # Into place by rename once whole: a copy cut short (a command's time limit) leaves no part that looks stashed.
  cp "$part_dir/payload.part" "$stash/.incoming.$k"
  cp "$part_dir/MANIFEST" "$stash/.incoming-manifest.$k"
  mv -f "$stash/.incoming.$k" "$stash/payload.part.$k"
  mv -f "$stash/.incoming-manifest.$k" "$stash/MANIFEST.$k"
  local present=() missing=() i
  for i in $(seq 1 "$count"); do
    if [ -f "$stash/payload.part.$i" ]; then present+=("$i"); else missing+=("$i"); fi
  done
  echo "gpu-check: part $k of $count stashed in $stash; present: ${present[*]}; missing: ${missing[*]:-none}"
}

device_unpack() {
  local stash=${1:-} dest=${2:-}
  [ -n "$stash" ] && [ -n "$dest" ] || die "device-unpack needs STASH and DEST."
  local manifest="" count whole i missing=()
  [ -d "$stash" ] && manifest=$(find "$stash" -maxdepth 1 -name 'MANIFEST.*' -print -quit)
  [ -n "$manifest" ] || die "'$stash' holds no part: stash every part first (device-stash), on this same machine (a new machine starts with none)."
  count=$(manifest_field "$manifest" parts)
  whole=$(manifest_field "$manifest" payload-sha256)
  for i in $(seq 1 "$count"); do [ -f "$stash/payload.part.$i" ] || missing+=("$i"); done
  [ ${#missing[@]} -eq 0 ] || die "'$stash' lacks part(s) ${missing[*]} of $count (a new machine starts with none: stash every part on it)."
  for i in $(seq 1 "$count"); do
    [ "$(sha256_of "$stash/payload.part.$i")" = "$(manifest_field "$stash/MANIFEST.$i" part-sha256)" ] \
      || die "part $i in '$stash' is damaged: stash it again."
  done
  mkdir -p "$dest"
  local joined=$dest/payload.tar.xz
  for i in $(seq 1 "$count"); do cat "$stash/payload.part.$i"; done > "$joined"
  [ "$(sha256_of "$joined")" = "$whole" ] || die "the joined payload's SHA-256 is not the MANIFEST's: a part is from another payload."
  if command -v xz >/dev/null; then
    xz -dc "$joined" | tar -x -C "$dest"
  else
    python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), sys.stdout.buffer)' "$joined" | tar -x -C "$dest"
  fi
  rm -f "$joined"
  echo "gpu-check: unpacked into $dest: segml-gpu/ ($(cat "$dest/segml-gpu/BUNDLE.txt" 2>/dev/null | head -1)), provider/ ($(head -1 "$dest/provider/PROVIDER.txt")), models/: $(ls "$dest/models" | tr '\n' ' ')"
}

case ${1:-} in
  bundle) shift; bundle "$@" ;;
  device-pack) shift; device_pack "$@" ;;
  device-stash) shift; device_stash "$@" ;;
  device-unpack) shift; device_unpack "$@" ;;
  publish) shift; publish "$@" ;;
  # segml's own exit code (1: a provider did not run on itself) passes through, not as a failure of this script.
  run) shift; rc=0; run "$@" || rc=$?; exit $rc ;;
  -h|--help|help) usage ;;
  *) usage >&2; exit 2 ;;
esac
