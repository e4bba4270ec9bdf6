#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
# `make gdb-test`: the GDB commands against the firmware's own reports.
#
#   tools/gdb/demo-test.sh DEMO_ELF RESET_ELF OUTDIR
#
# 1. the demo under QEMU's gdbstub, tools/gdb/demo-test.gdb at its
#    checkpoints and fault hook (saves a RAM dump);
# 2. the same commands on the ELF plus that dump, with no target;
# 3. the reset test image under the gdbstub, tools/gdb/reset-test.gdb;
# then tools/gdb/check_gdb_test.py compares every transcript with the
# firmware's semihosting logs. QEMU uses TOOLCHAIN.md's CI-safe command line.
set -eu
demo=$1 reset=$2 out=$3
here=$(dirname "$0")
mkdir -p "$out"
free_port() {
    /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# run_live ELF LOG SCRIPT TRANSCRIPT [gdb -ex ...]
run_live() {
    elf=$1 log=$2 script=$3 transcript=$4
    shift 4
    port=$(free_port)
    rm -f "$log"
    timeout -k 5 40 qemu-system-arm -M mps2-an386 -display none -monitor none \
        -chardev "file,id=out,path=$log,mux=on" -serial chardev:out \
        -semihosting-config enable=on,target=native,chardev=out,userspace=on \
        -kernel "$elf" -gdb "tcp:127.0.0.1:$port" -S </dev/null >"$log.qemu-stderr" 2>&1 &
    qemu=$!
    tries=0
    until timeout 30 gdb-multiarch -batch -nx "$elf" -ex "source $here/rtmem.py" "$@" \
            -ex "target remote 127.0.0.1:$port" -x "$script" >"$transcript" 2>&1; do
        tries=$((tries + 1))
        if [ $tries -ge 20 ] || ! grep -q "Connection refused" "$transcript"; then
            kill "$qemu" 2>/dev/null || true
            echo "gdb-test: gdb failed on $elf, see $transcript"
            exit 1
        fi
        sleep 0.1 # QEMU is not listening yet
    done
    rc=0
    wait "$qemu" || rc=$?
    [ $rc -eq 0 ] || { echo "gdb-test: $elf exited $rc under the debugger (log $log)"; exit 1; }
}
run_live "$demo" "$out/demo.log" "$here/demo-test.gdb" "$out/demo-live.txt" -ex "set \$ram_dump = \"$out/ram.bin\""
timeout 30 gdb-multiarch -batch -nx "$demo" -ex "source $here/rtmem.py" -ex "rtm dump $out/ram.bin@0x20000000" \
    -x "$here/demo-dump.gdb" >"$out/demo-dump.txt" 2>&1
run_live "$reset" "$out/reset.log" "$here/reset-test.gdb" "$out/reset-live.txt"
/usr/bin/python3 "$here/check_gdb_test.py" "$out"
