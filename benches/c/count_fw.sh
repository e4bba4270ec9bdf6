#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
# Run the benchmark firmware under QEMU with a per-instruction exec log of the
# allocators' code and count the instructions of every call (icount).
# usage: count_fw.sh FW.ELF ICOUNT OUTDIR
set -eu
elf=$1
icount=$2
out=$3
mkdir -p "$out"
nm=arm-none-eabi-nm
start=$($nm "$elf" | awk '$3=="__counted_start"{print $1}')
end=$($nm "$elf" | awk '$3=="__counted_end"{print $1}')
len=$(( 0x$end - 0x$start ))
# Global functions of the counted range: each one's entry starts a call.
$nm "$elf" | awk -v s="$start" -v e="$end" '
    function hex(x,   i, c, v) { v = 0; x = tolower(x); for (i = 1; i <= length(x); i++) { c = index("0123456789abcdef", substr(x, i, 1)) - 1; v = v * 16 + c } return v }
    $2 == "T" && $3 !~ /^__/ { a = hex($1); if (a >= hex(s) && a < hex(e)) print $1, $3 }' > "$out/syms.txt"
fifo="$out/exec.fifo"
rm -f "$fifo" "$out/fw.log"
mkfifo "$fifo"
"$icount" "$out/syms.txt" "$out/hist.csv" "$out/fw.log" < "$fifo" > "$out/counts.csv" &
reader=$!
status=0
timeout -k 5 3000 qemu-system-arm -M mps2-an386 -display none -monitor none \
    -chardev file,id=out,path="$out/fw.log",mux=on -serial chardev:out \
    -semihosting-config enable=on,target=native,chardev=out \
    -kernel "$elf" -singlestep -d exec,nochain -dfilter "0x$start+$len" -D "$fifo" </dev/null || status=$?
wait $reader || status=$?
rm -f "$fifo"
if [ "$status" != 0 ]; then
    echo "count_fw: QEMU or icount failed ($status); firmware log:" >&2
    cat "$out/fw.log" >&2
    exit 1
fi
