#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
# Print a markdown table of code/data sizes per component for each cross target.
# Usage: scripts/size-table.sh BUILD_CROSS_DIR target:size-tool...
# A cell reads text/data/bss in bytes (the component's object file, -Os).
set -eu
dir=$1
shift
header="| component |"
rule="|---|"
for spec in "$@"; do
    header="$header ${spec%%:*} |"
    rule="$rule---:|"
done
echo "$header"
echo "$rule"
first=${1%%:*}
for obj in $(cd "$dir/$first" && find . -name '*.o' | sed 's|^\./||' | sort); do
    row="| ${obj%.o} |"
    for spec in "$@"; do
        t=${spec%%:*}
        tool=${spec#*:}
        cell=$("$tool" -B "$dir/$t/$obj" | awk 'NR == 2 {print $1 "/" $2 "/" $3}')
        row="$row $cell |"
    done
    echo "$row"
done
row="| **total** |"
for spec in "$@"; do
    t=${spec%%:*}
    tool=${spec#*:}
    cell=$("$tool" -B -t "$dir/$t/librtmem.a" | awk 'END {print $1 "/" $2 "/" $3}')
    row="$row $cell |"
done
echo "$row"
