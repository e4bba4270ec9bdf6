#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
# What the README shows, checked against what the tree does:
#   1. the Makefile firmware lines between <!-- readme-cross --> markers, run
#      as written in OUT/readme-cross (rtmem cloned as ./rtmem, a main.c that
#      prints floats and allocates), and the firmware run on QEMU mps2-an386;
#      then the CMake lines between <!-- readme-cmake --> markers, the same way;
#   2. the heap-only drop-in: examples/heap/main.c linked from heap.c and
#      version.c alone (host), and run;
#   3. the demo transcript between <!-- demo-transcript --> markers equals the
#      end of the log of `make demo` (DEMO_LOG).
# Usage: scripts/readme-check.sh OUT DEMO_LOG
set -eu
cd "$(dirname "$0")/.."
src=$(pwd)
out=${1:?usage: $0 OUT DEMO_LOG}
demo_log=${2:?usage: $0 OUT DEMO_LOG}
mkdir -p "$out"
out=$(cd "$out" && pwd)

block() { # the indented lines between <!-- $1 --> and <!-- /$1 -->, unindented
    awk -v m="<!-- $1" -v e="<!-- /$1 -->" 'index($0, e) == 1 {on = 0} on {print} index($0, m) == 1 {on = 1}' README.md |
        sed 's/^    //'
}

# 1. The cross build as written.
dir=$out/readme-cross
rm -rf "$dir"
mkdir -p "$dir"
ln -s "$src" "$dir/rtmem"
cat > "$dir/main.c" <<'MAIN'
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    char *s = malloc(32);
    if (s == NULL) {
        return 1;
    }
    strcpy(s, "from the README");
    printf("%s: %.2f\n", s, 2.5);
    free(s);
    return 0;
}
MAIN
block readme-cross | awk '/\\$/ {sub(/\\$/, ""); printf "%s", $0; next} {print}' > "$dir/commands"
[ "$(wc -l < "$dir/commands")" -eq 3 ] || { echo "readme-check: expected 3 commands in the readme-cross block" >&2; exit 1; }
sed -n 1,2p "$dir/commands" | while IFS= read -r cmd; do
    cmd=$(printf '%s' "$cmd" | sed 's/ *#.*$//')
    echo "  \$ $cmd"
    (cd "$dir" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL sh -c "$cmd" > "$dir/cmd.log" 2>&1) ||
        { cat "$dir/cmd.log"; echo "readme-check: the README's command failed: $cmd" >&2; exit 1; }
done
qemu_line=$(sed -n 3p "$dir/commands")
case $qemu_line in
    "qemu-system-arm -M mps2-an386 "*"-kernel firmware.elf") ;;
    *) echo "readme-check: unexpected run line: $qemu_line" >&2; exit 1 ;;
esac
scripts/qemu-run.sh -d -t 30 readme-cross:mps2-an386:"$dir/firmware.elf"
grep -q '^from the README: 2.50$' "$dir/firmware.elf.log" || { echo "readme-check: firmware printed the wrong text" >&2; exit 1; }

# 1b. The CMake firmware lines as written, in the same folder.
block readme-cmake | awk '/\\$/ {sub(/\\$/, ""); printf "%s", $0; next} {print}' > "$dir/cmake-commands"
[ "$(wc -l < "$dir/cmake-commands")" -eq 3 ] || { echo "readme-check: expected 3 commands in the readme-cmake block" >&2; exit 1; }
rm -rf "$dir/build"
sed -n 1,2p "$dir/cmake-commands" | while IFS= read -r cmd; do
    echo "  \$ $cmd"
    (cd "$dir" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL sh -c "$cmd" > "$dir/cmd.log" 2>&1) ||
        { cat "$dir/cmd.log"; echo "readme-check: the README's command failed: $cmd" >&2; exit 1; }
done
case $(sed -n 3p "$dir/cmake-commands") in
    "qemu-system-arm -M mps2-an386 "*"-kernel build/firmware.elf") ;;
    *) echo "readme-check: unexpected run line in the readme-cmake block" >&2; exit 1 ;;
esac
scripts/qemu-run.sh -d -t 30 readme-cmake:mps2-an386:"$dir/build/firmware.elf"

# 2. The heap-only drop-in.
${CC:-gcc} -std=c11 -O2 -Wall -Wextra -Werror -Iinclude -Ic-src/core examples/heap/main.c c-src/alloc/heap.c \
    c-src/core/version.c -o "$out/heap-dropin"
"$out/heap-dropin" > "$out/heap-dropin.log"
echo "  heap-only drop-in (heap.c + version.c): links and runs"

# 3. The demo transcript.
block demo-transcript > "$out/readme-demo.txt"
sed -n '/^heap (rtm_heap, O(1))/,$p' "$demo_log" > "$out/demo-tail.txt"
if ! diff -u "$out/readme-demo.txt" "$out/demo-tail.txt"; then
    echo "readme-check: the README's demo transcript differs from 'make demo' (above); paste the new one" >&2
    exit 1
fi
echo "  demo transcript: matches make demo ($(wc -l < "$out/demo-tail.txt") lines)"
