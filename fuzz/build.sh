#!/bin/bash -eu
# fuzz/build.sh [CMAKE_ARGS...]: builds every libFuzzer target (the two lists in fuzz/CMakeLists.txt)
# and copies each <name>_fuzzer to $OUT in the layout ClusterFuzzLite and OSS-Fuzz expect: its seed
# corpus (fuzz/corpus/<name>/ and the inputs in fuzz/regressions/<name>/) as
# <name>_fuzzer_seed_corpus.zip and its dictionary (fuzz/dict/<name>.dict) as <name>_fuzzer.dict.
# Two modes, chosen by $LIB_FUZZING_ENGINE:
# - set (.clusterfuzzlite/build.sh runs this inside the builder image): $CXX and $CXXFLAGS decide the
#   compiler, sanitizers and coverage flags, the fuzzers link $LIB_FUZZING_ENGINE, and only the fuzz
#   targets are configured (CREDSIM_FUZZ_ONLY: no GoogleTest, RapidCheck, cpp-httplib or OpenSSL);
#   no -Werror, since the image's clang is newer than the one credsim is checked with;
# - unset (local use): the `fuzz` preset's settings: clang++-14 (or $CXX), RelWithDebInfo, -Werror,
#   libFuzzer + ASan + UBSan, with all of credsim's dependencies installed (ci/deps fuzz).
# Extra arguments go to CMake's configure step. The build directory is $WORK/build-fuzz, or
# build-fuzz/ in the repository without $WORK. Local use: OUT=/tmp/out fuzz/build.sh
set -euo pipefail  # also when run as `bash fuzz/build.sh`, which ignores the #! line
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${OUT:?set OUT to the directory that receives the fuzzers}"
BUILD="${WORK:-$ROOT}/build-fuzz"

if [ -n "${LIB_FUZZING_ENGINE:-}" ]; then
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE= \
    -DCMAKE_CXX_COMPILER="${CXX:?}" -DCMAKE_CXX_FLAGS="${CXXFLAGS:-}" \
    -DCREDSIM_FUZZ_ONLY=ON -DCREDSIM_FUZZ=ON -DCREDSIM_WERROR=OFF \
    -DCREDSIM_FUZZING_ENGINE="$LIB_FUZZING_ENGINE" "$@"
else
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER="${CXX:-clang++-14}" \
    -DCREDSIM_FUZZ_ONLY=OFF -DCREDSIM_FUZZ=ON -DCREDSIM_WERROR=ON -DCREDSIM_FUZZING_ENGINE= "$@"
fi
# The targets are listed once, in fuzz/CMakeLists.txt.
cmake --build "$BUILD" --target $(sed -n 's/^set(CREDSIM_FUZZ_\(WORLD_\)\{0,1\}TARGETS \(.*\))$/\2/p' \
  "$ROOT/fuzz/CMakeLists.txt" | sed 's/\([a-z_]*\)/\1_fuzzer/g')

mkdir -p "$OUT"
for fuzzer in "$BUILD"/bin/*_fuzzer; do
  name="$(basename "$fuzzer" _fuzzer)"
  cp "$fuzzer" "$OUT/"
  if [ -f "$ROOT/fuzz/dict/$name.dict" ]; then
    cp "$ROOT/fuzz/dict/$name.dict" "$OUT/${name}_fuzzer.dict"  # the name the runners look for
  fi
  seeds=()
  for dir in "$ROOT/fuzz/corpus/$name" "$ROOT/fuzz/regressions/$name"; do
    if [ -d "$dir" ]; then seeds+=("$dir"/*); fi
  done
  rm -f "$OUT/${name}_fuzzer_seed_corpus.zip"
  if [ ${#seeds[@]} -gt 0 ]; then
    zip -q -j "$OUT/${name}_fuzzer_seed_corpus.zip" "${seeds[@]}"
  fi
done
ls "$OUT"
