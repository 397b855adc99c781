#!/bin/bash -eu
# What ClusterFuzzLite and OSS-Fuzz run in the builder image (.clusterfuzzlite/Dockerfile), from the
# repository root ($SRC/credsim) with $CC $CXX $CFLAGS $CXXFLAGS $LIB_FUZZING_ENGINE $SRC $WORK $OUT
# set by the image. Two steps:
# 1. simdjson from $SRC/simdjson (the tag the Dockerfile clones), as a static library built with the
#    same compiler, sanitizers, coverage flags and C++ library (libc++ in the image) as credsim,
#    installed under $WORK/deps: a fuzzer must not need a shared library the runner lacks;
# 2. fuzz/build.sh, the one implementation: it configures the fuzz targets only (CREDSIM_FUZZ_ONLY),
#    links them with $LIB_FUZZING_ENGINE, and copies each fuzzer with its seed corpus and dictionary
#    to $OUT.
# Local test without Docker: fuzz/README.md, "ClusterFuzzLite / OSS-Fuzz".
set -euo pipefail  # also when run as `bash .clusterfuzzlite/build.sh`
: "${LIB_FUZZING_ENGINE:?set by the builder image}" "${SRC:?}" "${WORK:?}" "${OUT:?}" "${CC:?}" "${CXX:?}"
if [ ! -f fuzz/build.sh ]; then
  echo ".clusterfuzzlite/build.sh: run it from the repository root (the Dockerfile's WORKDIR)" >&2
  exit 1
fi

cmake -S "$SRC/simdjson" -B "$WORK/simdjson-build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" \
  -DCMAKE_C_FLAGS="${CFLAGS:-}" -DCMAKE_CXX_FLAGS="${CXXFLAGS:-}" \
  -DBUILD_SHARED_LIBS=OFF -DSIMDJSON_DEVELOPER_MODE=OFF -DCMAKE_INSTALL_PREFIX="$WORK/deps"
cmake --build "$WORK/simdjson-build"
cmake --install "$WORK/simdjson-build"

bash fuzz/build.sh -DCMAKE_PREFIX_PATH="$WORK/deps"
