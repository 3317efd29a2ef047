#!/usr/bin/env bash
# Device payload check: gpu-check.sh device-pack, device-stash and device-unpack round trip here, with stand-ins for
# the bundle (a folder with a fake segml), the GPU package's CUDA provider (fatbin-keep-arch-test.py's sample ELF) and
# a model (3 MiB of random bytes, so that --part-mib 1 makes four parts). What arrives must be what was packed: the
# model byte for byte, the provider as fatbin-keep-arch.py itself makes it, this repository's gpu-check.sh; parts that
# are damaged, missing or from another payload are refused.
# Usage: build/device-pack-check.sh   (exit code 0 and 'device-pack-check: N passed, 0 failed')
set -uo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d "${TMPDIR:-/tmp}/segml-device-pack-check.XXXXXX")
trap 'rm -rf "$work"' EXIT
passed=0; failed=0
check() { # $1 = what, rest = the command that must succeed
  local what=$1; shift
  if "$@" >/dev/null 2>&1; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "device-pack-check FAILED: $what" >&2; fi
}
refused() { # $1 = what, $2 = text stderr must hold, rest = the command that must exit 2
  local what=$1 text=$2; shift 2
  local err rc
  err=$("$@" 2>&1 >/dev/null); rc=$?
  if [ $rc -eq 2 ] && grep -qF -- "$text" <<< "$err"; then passed=$((passed + 1)); else
    failed=$((failed + 1)); echo "device-pack-check FAILED: $what (exit $rc: $err)" >&2; fi
}

mkdir -p "$work/bundle/segml-gpu" "$work/native" "$work/out"
printf '#!/bin/sh\necho "stand-in segml $*"\n' > "$work/bundle/segml-gpu/segml"
: > "$work/bundle/segml-gpu/libonnxruntime.so"
chmod +x "$work/bundle/segml-gpu/segml"
echo 'segml GPU bundle: ONNX Runtime 1.30.0 (managed and native); stand-in.' > "$work/bundle/segml-gpu/BUNDLE.txt"
tar -C "$work/bundle" -czf "$work/segml-gpu.tar.gz" segml-gpu
python3 build/fatbin-keep-arch-test.py --sample "$work/native/libonnxruntime_providers_cuda.so"
python3 build/fatbin-keep-arch.py "$work/native/libonnxruntime_providers_cuda.so" "$work/expected-provider.so" --arch 90 >/dev/null
head -c 3145728 /dev/urandom > "$work/model.onnx"
echo keep > "$work/out/other-file"

export SEGML_GPU_NATIVE=$work/native
check "device-pack makes the parts" build/gpu-check.sh device-pack "$work/out" --bundle "$work/segml-gpu.tar.gz" \
  --model "$work/model.onnx" --part-mib 1 --arch 90
parts=$(find "$work/out" -maxdepth 1 -name 'part*' -type d | wc -l)
check "3 MiB of random bytes in 1 MiB parts makes four parts (got $parts)" test "$parts" -eq 4
too_big=$(find "$work/out" -name payload.part -size +1048576c | wc -l)
check "no part is over --part-mib" test "$too_big" -eq 0
check "device-pack leaves OUTDIR's other files" test -f "$work/out/other-file"

stash=$work/stash
refused "unpacking from a stash that does not exist says so" "holds no part" build/gpu-check.sh device-unpack "$stash" "$work/dest"
check "part 3 stashes first" build/gpu-check.sh device-stash "$work/out/part3" "$stash"
check "part 1 stashes" build/gpu-check.sh device-stash "$work/out/part1" "$stash"
refused "unpacking with parts missing names them" "lacks part(s) 2 4 of 4" build/gpu-check.sh device-unpack "$stash" "$work/dest"
cp -r "$work/out/part4" "$work/damaged"
printf 'X' | dd of="$work/damaged/payload.part" bs=1 seek=100 conv=notrunc status=none
refused "a damaged part is refused" "part 4 of 4 in '$work/damaged' is damaged" build/gpu-check.sh device-stash "$work/damaged" "$stash"
check "part 4 stashes" build/gpu-check.sh device-stash "$work/out/part4" "$stash"
check "part 2 stashes" build/gpu-check.sh device-stash "$work/out/part2" "$stash"
cp "$stash/payload.part.3" "$work/part3.saved"
head -c 1000 "$work/part3.saved" > "$stash/payload.part.3"
refused "a stashed part cut short is named" "part 3 in '$stash' is damaged" build/gpu-check.sh device-unpack "$stash" "$work/dest"
cp "$work/part3.saved" "$stash/payload.part.3"
check "every part stashed: unpack" build/gpu-check.sh device-unpack "$stash" "$work/dest"
check "the model arrives byte for byte" cmp "$work/model.onnx" "$work/dest/models/model.onnx"
check "the provider arrives as fatbin-keep-arch.py makes it" cmp "$work/expected-provider.so" "$work/dest/provider/libonnxruntime_providers_cuda.so"
check "PROVIDER.txt names the version and the architecture" grep -q '^ONNX Runtime 1.30.0 .*sm_90 only' "$work/dest/provider/PROVIDER.txt"
check "the bundle's segml arrives" cmp "$work/bundle/segml-gpu/segml" "$work/dest/segml-gpu/segml"
check "the bundle carries the packing gpu-check.sh" cmp build/gpu-check.sh "$work/dest/segml-gpu/gpu-check.sh"

# The unpacked bundle's run mode: the provider linked beside libonnxruntime.so and the options passed to segml (the
# stand-in provider is no dynamic object, so ldd fails on it, which must not stop the run).
out=$("$work/dest/segml-gpu/gpu-check.sh" run --providers-from "$work/dest/provider" --cuda-libs auto \
  --model "$work/dest/models/model.onnx" --providers cpu,cuda 2>"$work/run.err"); rc=$?
check "run on the unpacked tree starts segml providers with the options (exit $rc: $(tail -2 "$work/run.err"))" \
  grep -q "stand-in segml providers --model $work/dest/models/model.onnx --providers cpu,cuda" <<< "$out"
check "run reads the provider's version from PROVIDER.txt" grep -q "provider libraries of ONNX Runtime 1.30.0" "$work/run.err"

# A part of another payload replaces what the stash held.
echo other > "$work/model2.onnx"
check "a second payload packs" build/gpu-check.sh device-pack "$work/out2" --bundle "$work/segml-gpu.tar.gz" --model "$work/model2.onnx"
check "its part replaces the first payload's" build/gpu-check.sh device-stash "$work/out2/part1" "$stash"
check "and unpacks alone" build/gpu-check.sh device-unpack "$stash" "$work/dest2"
check "with its own model" cmp "$work/model2.onnx" "$work/dest2/models/model2.onnx"
refused "a provider with no cubin for --arch is refused" "no cubin for sm_86" \
  build/gpu-check.sh device-pack "$work/out3" --bundle "$work/segml-gpu.tar.gz" --arch 86

echo "device-pack-check: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
