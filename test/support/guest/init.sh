#!/bin/busybox sh
# /init of the real-guest initramfs (test/support/guest/image.ts builds it): busybox, the virtio
# modules listed in /lib/modules/order, and this script. It reports on /dev/hvc0 — the plan's own
# virtconsole — what the guest kernel sees, one line per fact, every line starting with "QP ":
#
#   QP add blk <name> pci <bridge slot>/<slot>   a virtio-blk disk appeared (slots as two hex digits,
#   QP add blk <name> ccw <bus id>               one per bus from the root; 0.0.NNNN on s390x)
#   QP add net <name> pci|ccw <where> <mac>      a virtio-net NIC appeared
#   QP del blk|net …                             the same line, for a device the guest dropped
#   QP cpu online <n>                            vCPUs online (new ones are onlined first)
#   QP mem online <MiB>                          memory online (new blocks are onlined first)
#   QP ready <uname -m> <uname -r>               the first scan is reported; polling goes on
#   QP error <text>                              something the guest could not do
#
# Devices, vCPUs and memory blocks are polled every 0.2 s. On aarch64 the guest also rescans the
# PCI bus on each poll: Debian's kernel has no SHPC driver (CONFIG_HOTPLUG_PCI_SHPC is not set), so
# a device hot-plugged behind a pcie-pci-bridge shows up only on a rescan — which is what the
# kata-containers agent does before it looks for a hot-plugged device.
/bin/busybox mkdir -p /proc /sys /dev /tmp
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s /bin
export PATH=/bin
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

errors=""
while read -r m; do
  insmod "/lib/modules/$m.ko" 2>/dev/null || errors="$errors insmod:$m"
done </lib/modules/order

i=0
while [ ! -e /dev/hvc0 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if [ -e /dev/hvc0 ]; then exec </dev/null >/dev/hvc0 2>&1; else exec </dev/null >/dev/console 2>&1; fi
[ -z "$errors" ] || echo "QP error$errors"

rescan=0
[ "$(uname -m)" = aarch64 ] && rescan=1

# "pci 02/01" from …/pci0000:00/0000:00:02.0/0000:01:01.0/virtio2/…; "ccw 0.0.0003" from
# …/css0/0.0.0002/0.0.0003/virtio2/… (the subchannel comes first, the device last)
where() {
  p=$(readlink -f "$1")
  case "$p" in
    */css0/*) echo "ccw $(echo "$p" | grep -o '/[0-9a-f]\.[0-9a-f]\.[0-9a-f]\{4\}' | tail -n 1 | tr -d /)" ;;
    */pci[0-9a-f]*)
      echo "pci $(echo "$p" | grep -o '/[0-9a-f]\{4\}:[0-9a-f]\{2\}:[0-9a-f]\{2\}\.[0-7]' | sed 's/.*:\([0-9a-f]\{2\}\)\.[0-7]$/\1/' | tr '\n' / | sed 's,/$,,')" ;;
    *) echo "other $p" ;;
  esac
}

scan() {
  echo "-"
  for d in /sys/block/vd*; do
    [ -e "$d" ] && echo "blk ${d##*/} $(where "$d")"
  done
  for d in /sys/class/net/*; do
    [ -e "$d/device" ] && echo "net ${d##*/} $(where "$d") $(cat "$d/address")"
  done
}

cpus() {
  n=0
  for c in /sys/devices/system/cpu/cpu[0-9]*; do
    if [ -f "$c/online" ] && [ "$(cat "$c/online")" = 0 ]; then echo 1 >"$c/online" || echo "QP error online ${c##*/}"; fi
    if [ ! -f "$c/online" ] || [ "$(cat "$c/online")" = 1 ]; then n=$((n + 1)); fi
  done
  echo $n
}

mem() {
  [ -r /sys/devices/system/memory/block_size_bytes ] || { echo 0; return; }
  bs=$((0x$(cat /sys/devices/system/memory/block_size_bytes)))
  n=0
  for m in /sys/devices/system/memory/memory[0-9]*; do
    if [ "$(cat "$m/state")" = offline ]; then echo online >"$m/state" || echo "QP error online ${m##*/}"; fi
    [ "$(cat "$m/state")" = online ] && n=$((n + 1))
  done
  echo $((n * bs / 1048576))
}

echo "-" >/tmp/seen
cpu_seen=""
mem_seen=""
ready=0
while :; do
  [ $rescan = 1 ] && echo 1 >/sys/bus/pci/rescan
  scan >/tmp/now
  grep -vxF -f /tmp/seen /tmp/now | sed 's/^/QP add /'
  grep -vxF -f /tmp/now /tmp/seen | sed 's/^/QP del /'
  mv /tmp/now /tmp/seen
  c=$(cpus)
  [ "$c" = "$cpu_seen" ] || { echo "QP cpu online $c"; cpu_seen=$c; }
  m=$(mem)
  [ "$m" = "$mem_seen" ] || { echo "QP mem online $m"; mem_seen=$m; }
  [ $ready = 1 ] || { echo "QP ready $(uname -m) $(uname -r)"; ready=1; }
  sleep 0.2
done
