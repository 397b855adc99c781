#!/bin/bash -eu
# The one script ClusterFuzzLite / OSS-Fuzz runs (from the repository root, with $OUT set; $SRC/$WORK
# are optional). Builds every libFuzzer target with the `fuzz` preset's settings (clang, libFuzzer +
# ASan + UBSan) and copies each *_fuzzer binary to $OUT with its seed corpus as
# <name>_seed_corpus.zip and its dictionary as <name>_fuzzer.dict. Run locally with OUT=/tmp/out fuzz/build.sh.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${OUT:?set OUT to the directory that receives the fuzzers}"
BUILD="${WORK:-$ROOT}/build-fuzz"
CXX="${CXX:-clang++-14}"

cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER="$CXX" -DCREDSIM_FUZZ=ON -DCREDSIM_WERROR=ON
cmake --build "$BUILD" --target $(sed -n 's/^set(CREDSIM_FUZZ_\(WORLD_\)\{0,1\}TARGETS \(.*\))$/\2/p' \
  "$ROOT/fuzz/CMakeLists.txt" | sed 's/\([a-z_]*\)/\1_fuzzer/g')

mkdir -p "$OUT"
for fuzzer in "$BUILD"/bin/*_fuzzer; do
  name="$(basename "$fuzzer" _fuzzer)"
  cp "$fuzzer" "$OUT/"
  if [ -f "$ROOT/fuzz/dict/$name.dict" ]; then
    cp "$ROOT/fuzz/dict/$name.dict" "$OUT/${name}_fuzzer.dict"  # the name the runners look for
  fi
  if [ -d "$ROOT/fuzz/corpus/$name" ]; then
    (cd "$ROOT/fuzz/corpus/$name" && zip -q -j "$OUT/${name}_fuzzer_seed_corpus.zip" ./*)
  fi
done
ls "$OUT"
