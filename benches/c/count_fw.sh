#!/bin/sh
# SPDX-License-Identifier: MIT OR Apache-2.0
# Run the benchmark firmware under QEMU and count the instructions of every
# call of the allocators' code (icount), by one of two methods that must agree:
#   plugin  the TCG plugin icount_plugin.so (fast; the default of make bench)
#   log     a per-instruction exec log (-singlestep -d exec,nochain; slow)
# usage: count_fw.sh plugin|log FW.ELF ICOUNT OUTDIR [PLUGIN.SO] [CALLS]
#   CALLS: also write every call's count there, in call order (icount.c)
set -eu
method=$1
elf=$2
icount=$3
out=$4
plugin=${5:-}
calls=${6:-}
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
"$icount" -e "$method" "$out/syms.txt" "$out/hist.csv" "$out/fw.log" ${calls:+"$calls"} < "$fifo" > "$out/counts.csv" &
reader=$!
case $method in
    plugin) count="-plugin $plugin,syms=$out/syms.txt,out=$fifo,start=$start,end=$end" ;;
    log) count="-singlestep -d exec,nochain -dfilter 0x$start+$len -D $fifo" ;;
    *) echo "count_fw: unknown method $method" >&2; exit 2 ;;
esac
status=0
# shellcheck disable=SC2086 # $count is a list of options
timeout -k 5 3000 qemu-system-arm -M mps2-an386 -display none -monitor none \
    -chardev file,id=out,path="$out/fw.log",mux=on -serial chardev:out \
    -semihosting-config enable=on,target=native,chardev=out \
    -kernel "$elf" $count </dev/null || status=$?
wait $reader || status=$?
rm -f "$fifo"
if [ "$status" != 0 ]; then
    echo "count_fw: QEMU or icount failed ($status); firmware log:" >&2
    cat "$out/fw.log" >&2
    exit 1
fi
