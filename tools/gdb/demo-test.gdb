# SPDX-License-Identifier: MIT OR Apache-2.0
# The live half of `make gdb-test` (tools/gdb/demo-test.sh connects first):
# stop the demo firmware at its checkpoints and in its fault hook, run every
# rtm command, save a RAM dump for the offline half.
set pagination off
set confirm off
set width 0
break demo_checkpoint
break on_fault
continue
echo === checkpoint 1 ===\n
rtm heap demo.heap
rtm blocks demo.heap &demo.leak
rtm map demo.heap
rtm owners &demo.leak
rtm mpu
eval "rtm save %s 0x20000000 0x20060000", $ram_dump
continue
echo === fault hook ===\n
rtm fault
rtm fault frame f->sp
continue
echo === checkpoint 2 ===\n
rtm fault &demo_fault_record
continue
