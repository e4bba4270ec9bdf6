#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
# Run firmware test images under QEMU and give one verdict.
#
#   scripts/qemu-run.sh [-t SECONDS] [-j JOBS] [-d] NAME:MACHINE:ELF...
#
# MACHINE is a QEMU board: mps2-an385, mps2-an386, mps2-an505, ... run with
# qemu-system-arm; `virt` runs with qemu-system-riscv32 -bios none. Each
# image runs with the CI-safe command line (no display, no monitor, stdin
# closed, semihosting and serial into one log file) under `timeout`; the log
# is ELF.log next to the image. An image passes when QEMU exits 0 (the
# firmware's SYS_EXIT_EXTENDED status) AND its log ends with the runner's
# "N passed, 0 failed" line with N > 0. Exit 124/137 = hang (timeout),
# 134 = CPU lockup, 2 = unexpected fault, 1 = failed tests.
# Prints one line per image and a total; exits 0 only if every image passed.
# -d (demo): print each image's whole log; its exit status alone is the verdict.
set -u

timeout_s=120
jobs=1
demo=0
usage="usage: $0 [-t SECONDS] [-j JOBS] [-d] NAME:MACHINE:ELF..."
while getopts t:j:d opt; do
    case $opt in
    t) timeout_s=$OPTARG ;;
    j) jobs=$OPTARG ;;
    d) demo=1 ;;
    *) echo "$usage" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || { echo "$usage" >&2; exit 2; }

# Run one image; leaves ELF.log and ELF.status ("rc milliseconds").
run_one() {
    machine=$1 elf=$2
    log=$elf.log
    rm -f "$log" "$elf.status"
    case $machine in
    virt) set -- qemu-system-riscv32 -M virt -bios none ;;
    *) set -- qemu-system-arm -M "$machine" ;;
    esac
    start=$(date +%s%N)
    timeout -k 5 "$timeout_s" "$@" -display none -monitor none \
        -chardev "file,id=out,path=$log,mux=on" -serial chardev:out \
        -semihosting-config enable=on,target=native,chardev=out,userspace=on \
        -kernel "$elf" </dev/null >"$elf.qemu-stderr" 2>&1
    rc=$?
    end=$(date +%s%N)
    echo "$rc $(((end - start) / 1000000))" >"$elf.status"
}

for spec in "$@"; do
    machine=${spec#*:}; machine=${machine%%:*}
    elf=${spec#*:*:}
    [ -f "$elf" ] || { echo "qemu-run: no image $elf" >&2; exit 2; }
done

# Start the runs, at most $jobs at a time.
running=0
for spec in "$@"; do
    machine=${spec#*:}; machine=${machine%%:*}
    elf=${spec#*:*:}
    run_one "$machine" "$elf" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait
        running=0
    fi
done
wait

if [ "$demo" = 1 ]; then
    bad=0
    for spec in "$@"; do
        elf=${spec#*:*:}
        read -r rc ms <"$elf.status"
        cat "$elf.log"
        if [ "$rc" != 0 ]; then
            bad=1
            echo "qemu: ${spec%%:*} exited with status $rc"
            [ -s "$elf.qemu-stderr" ] && tail -n 10 "$elf.qemu-stderr"
        fi
    done
    exit $bad
fi

# After an unexpected fault, name the code at the reported pc and lr (the
# runner prints a test's name only after it finished).
symbolize() {
    case $1 in
    virt) tools=riscv64-unknown-elf- ;;
    *) tools=arm-none-eabi- ;;
    esac
    command -v "${tools}nm" >/dev/null 2>&1 || return 0
    line=$(grep -E '^\*\*\* unexpected fault' "$3" 2>/dev/null | tail -n 1)
    [ -n "$line" ] || return 0
    for reg in pc lr; do
        addr=$(echo "$line" | sed -n "s/.* $reg=0x\([0-9a-f]*\).*/\1/p")
        [ -n "$addr" ] && [ "$addr" != 00000000 ] || continue
        # The function: the last text symbol at or below the address (the
        # assembly helpers have no DWARF function entries for addr2line -f).
        func=$("${tools}nm" -n "$2" 2>/dev/null | awk -v a="$((0x$addr & ~1))" '
            $2 ~ /^[Tt]$/ { v = 0; h = tolower($1)
                for (i = 1; i <= length(h); i++) v = v * 16 + index("0123456789abcdef", substr(h, i, 1)) - 1
                if (v <= a) name = $3; else exit }
            END { print name }')
        where=$("${tools}addr2line" -s -e "$2" "0x$addr" 2>/dev/null)
        echo "$reg 0x$addr: in $func ($where)"
    done
}

total_pass=0 total_fail=0 bad=0
for spec in "$@"; do
    name=${spec%%:*}
    machine=${spec#*:}; machine=${machine%%:*}
    elf=${spec#*:*:}
    log=$elf.log
    read -r rc ms <"$elf.status"
    summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" 2>/dev/null | tail -n 1)
    passed=$(echo "$summary" | sed -n 's/^\([0-9]*\) passed.*/\1/p')
    failed=$(echo "$summary" | sed -n 's/.* \([0-9]*\) failed$/\1/p')
    case $rc in
    0) what="" ;;
    1) what="tests failed" ;;
    2) what="unexpected fault" ;;
    124 | 137) what="HANG (timeout ${timeout_s}s)" ;;
    134) what="CPU lockup" ;;
    *) what="qemu exit $rc" ;;
    esac
    if [ -z "$summary" ]; then
        passed=0
        failed=0
        [ -n "$what" ] || what="no summary line"
    fi
    total_pass=$((total_pass + passed))
    total_fail=$((total_fail + failed))
    secs=$(printf '%d.%02d' $((ms / 1000)) $((ms % 1000 / 10)))
    if [ "$rc" = 0 ] && [ -n "$summary" ] && [ "$failed" = 0 ] && [ "$passed" -gt 0 ]; then
        printf 'qemu: %-5s %-11s %s passed, %s failed (%ss)\n' "$name" "$machine" "$passed" "$failed" "$secs"
    else
        bad=$((bad + 1))
        [ -n "$what" ] || what="verdict mismatch"
        printf 'qemu: %-5s %-11s %s passed, %s failed (%ss) FAILED: %s\n' "$name" "$machine" "$passed" "$failed" "$secs" "$what"
        echo "---- $log (failures and last lines) ----"
        grep -E '^\[FAIL\]|^  FAIL |^\*\*\*' "$log" 2>/dev/null | head -n 40
        tail -n 15 "$log" 2>/dev/null
        symbolize "$machine" "$elf" "$log"
        if [ -s "$elf.qemu-stderr" ]; then
            echo "---- qemu stderr ----"
            tail -n 10 "$elf.qemu-stderr"
        fi
        echo "----"
    fi
done
printf 'qemu: total %d passed, %d failed over %d images' "$total_pass" "$total_fail" $#
if [ "$bad" -ne 0 ]; then
    printf ', %d image(s) FAILED\n' "$bad"
    exit 1
fi
printf ', all passed\n'
exit 0
