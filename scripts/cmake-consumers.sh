#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
# Build rtmem's CMake consumer projects (examples/cmake-host,
# examples/cmake-firmware) as separate projects under OUT and run them:
#   host:     add_subdirectory, FetchContent from an archive of the tree, and
#             find_package after `cmake --install` -- each built and run
#   firmware: Cortex-M4F with cmake/arm-none-eabi.cmake, rtmem as malloc,
#             add_subdirectory and find_package after a cross install,
#             each run on QEMU mps2-an386
# Usage: scripts/cmake-consumers.sh OUT
set -eu
cd "$(dirname "$0")/.."
src=$(pwd)
out=${1:?usage: $0 OUT}
rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
log=$out/cmake.log
: > "$log"

step() { echo "  $1"; }
run() { "$@" >>"$log" 2>&1 || { echo "cmake-consumers: failed: $*" >&2; tail -30 "$log" >&2; exit 1; }; }

# An archive of the working tree, as a release tarball would be.
tar -C "$src" --exclude=./build --exclude=./target --exclude=./.git -czf "$out/rtmem-src.tar.gz" .

# Host install of rtmem (the package the find_package consumers use).
step "host: cmake --install of rtmem"
run cmake -S "$src" -B "$out/rtmem-host" -DRTMEM_WERROR=ON -DCMAKE_INSTALL_PREFIX="$out/prefix-host"
run cmake --build "$out/rtmem-host" -j 2
run cmake --install "$out/rtmem-host"

for how in subdirectory fetch package; do
    step "host consumer: $how"
    run cmake -S examples/cmake-host -B "$out/host-$how" -DRTMEM_HOW=$how -DRTMEM_SOURCE_DIR="$src" \
        -DRTMEM_URL="file://$out/rtmem-src.tar.gz" -DCMAKE_PREFIX_PATH="$out/prefix-host" -DRTMEM_WERROR=ON
    run cmake --build "$out/host-$how" -j 2
    "$out/host-$how/heap_demo" || { echo "cmake-consumers: host-$how failed" >&2; exit 1; }
done

tc="$src/cmake/arm-none-eabi.cmake"
step "cortex-m4f: cross cmake --install of rtmem"
run cmake -S "$src" -B "$out/rtmem-m4f" -DCMAKE_TOOLCHAIN_FILE="$tc" -DRTMEM_CPU=cortex-m4f -DRTMEM_WERROR=ON \
    -DCMAKE_INSTALL_PREFIX="$out/prefix-m4f"
run cmake --build "$out/rtmem-m4f" -j 2
run cmake --install "$out/rtmem-m4f"

for how in subdirectory package; do
    step "cortex-m4f consumer: $how"
    run cmake -S examples/cmake-firmware -B "$out/fw-$how" -DCMAKE_TOOLCHAIN_FILE="$tc" -DRTMEM_CPU=cortex-m4f \
        -DRTMEM_HOW=$how -DRTMEM_SOURCE_DIR="$src" -DCMAKE_PREFIX_PATH="$out/prefix-m4f"
    run cmake --build "$out/fw-$how" -j 2
done
scripts/qemu-run.sh -d -t 30 fw-subdirectory:mps2-an386:"$out/fw-subdirectory/firmware.elf" \
    fw-package:mps2-an386:"$out/fw-package/firmware.elf"
