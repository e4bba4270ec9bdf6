#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
# Install the Debian packages a build step needs, only those that are missing.
# Usage: scripts/ensure-deps.sh GROUP...   (groups: core cross qemu rust bench lint fuzz debug i386emu dist)
# Runs `apt-get update` at most once per boot, tolerates a transiently failing
# index, and fails with the install's own error if a package cannot be had.
set -u

pkgs_core="make gcc g++ clang gcc-multilib libcriterion-dev pkg-config"
pkgs_cross="gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi gcc-riscv64-unknown-elf"
pkgs_qemu="qemu-system-arm qemu-system-misc"
pkgs_rust="bindgen cbindgen libclang1-14 libclang-common-14-dev librust-criterion-dev librust-cc-dev rustc-web cargo-web rust-web-src rust-web-clippy rustfmt-web"
pkgs_bench="valgrind python3 python3-matplotlib"
pkgs_lint="cppcheck clang-tidy"
pkgs_fuzz="clang libclang-rt-14-dev"
pkgs_debug="gdb-multiarch python3 python3-matplotlib"
# -m32 suites on a kernel that cannot execute i386 programs (Makefile: I386_RUNNER)
pkgs_i386emu="qemu-user"
pkgs_dist="g++ cmake doxygen libstdc++-arm-none-eabi-newlib picolibc-arm-none-eabi python3"

missing=""
for group in "$@"; do
    eval "list=\${pkgs_$group:-}"
    if [ -z "$list" ]; then
        echo "ensure-deps: unknown group '$group'" >&2
        exit 2
    fi
    for p in $list; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
            missing="$missing $p"
        fi
    done
done
[ -z "$missing" ] && exit 0

echo "ensure-deps: installing$missing"
if [ "$(id -u)" != 0 ]; then
    echo "ensure-deps: not root; please run: apt-get install --no-install-recommends$missing" >&2
    exit 1
fi
stamp=/tmp/.rtmem-apt-updated
export DEBIAN_FRONTEND=noninteractive
if [ ! -f "$stamp" ]; then
    apt-get update -q || apt-get update -q || echo "ensure-deps: apt-get update reported errors; trying the install anyway" >&2
    touch "$stamp"
fi
# shellcheck disable=SC2086
if ! apt-get install -y -q --no-install-recommends $missing; then
    apt-get update -q || true
    # shellcheck disable=SC2086
    apt-get install -y -q --no-install-recommends $missing || {
        echo "ensure-deps: could not install:$missing" >&2
        exit 1
    }
fi
