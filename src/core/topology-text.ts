/**
 * The bus tree as text: root bus → slots (machine devices, devices, bridges) → bridge slots, or
 * the channel subsystem's device numbers on s390x; then what QEMU places itself, what sits on no
 * bus, and the remaining hot-plug capacity.
 *
 * @since 0.1.0
 */
import type { BridgeNode, SlotEntry, Topology } from './topology.ts'

const hex = (n: number, w = 2): string => `0x${n.toString(16).padStart(w, '0')}`

/** `0x08-0x1e` style runs. */
const runs = (xs: ReadonlyArray<number>): string => {
  const out: Array<string> = []
  for (let i = 0; i < xs.length;) {
    let j = i
    while (j + 1 < xs.length && (xs[j + 1] as number) === (xs[j] as number) + 1) j++
    out.push(i === j ? hex(xs[i] as number) : `${hex(xs[i] as number)}-${hex(xs[j] as number)}`)
    i = j + 1
  }
  return out.join(', ')
}

const entry = (s: SlotEntry): string => (s.id === undefined ? `(${s.kind})` : `${s.id} (${s.kind})`)

const bridgeLines = (b: BridgeNode, indent: string): ReadonlyArray<string> => {
  const rows = b.slots.map((s) => `${hex(s.slot)} ${entry(s)}`)
  const all = [...rows, `free: ${b.free} of ${b.capacity} slots`]
  return all.map((r, i) => `${indent}${i === all.length - 1 ? '└── ' : '├── '}${r}`)
}

/**
 * Draw a topology.
 *
 * @since 0.1.0
 * @category render
 */
export const formatTopology = (t: Topology): string => {
  const lines: Array<string> = []
  if (t.transport === 'ccw') {
    const ccw = t.bridges.filter((b) => b.type === 'ccw')
    lines.push(`channel subsystem (${t.machine})`)
    ccw.forEach((b, n) => {
      const last = n === ccw.length - 1
      lines.push(`${last ? '└── ' : '├── '}${b.id} (subchannel set ${b.addr}, devnos fe.${b.addr.toString(16)}.*)`)
      const rows = [
        ...b.slots.map((s) => `fe.${b.addr.toString(16)}.${s.slot.toString(16).padStart(4, '0')} ${entry(s)}`),
        `free: ${b.free} of ${b.capacity} device numbers`,
      ]
      rows.forEach((r, i) => lines.push(`${last ? '    ' : '│   '}${i === rows.length - 1 ? '└── ' : '├── '}${r}`))
    })
  } else if (t.root !== undefined) {
    const root = t.root
    lines.push(`${root.bus} (root bus, ${t.machine})`)
    const rows: Array<ReadonlyArray<string>> = root.slots.map((s) => {
      const b = t.bridges.find((x) => x.id === s.id && x.type !== 'ccw')
      return [`${hex(s.slot)} ${entry(s)}`, ...(b === undefined ? [] : bridgeLines(b, ''))]
    })
    rows.push([`free: ${root.free.length} slots${root.free.length > 0 ? ` (${runs(root.free)})` : ''}`])
    rows.forEach((r, i) => {
      const last = i === rows.length - 1
      lines.push(`${last ? '└── ' : '├── '}${r[0]}`)
      for (const sub of r.slice(1)) lines.push(`${last ? '    ' : '│   '}${sub}`)
    })
  } else lines.push(`no PCI root bus in use (${t.machine})`)
  if (t.unplaced.length > 0)
    lines.push(`placed by QEMU (no bus=/addr= or devno=): ${t.unplaced.map((d) => `${d.id} (${d.kind})`).join(', ')}`)
  if (t.offBus.length > 0) lines.push(`not on a bus: ${t.offBus.map((d) => `${d.id} (${d.kind})`).join(', ')}`)
  const c = t.capacity
  const hp = t.bridges.filter((b) => (t.transport === 'ccw' ? b.type === 'ccw' : b.type !== 'ccw'))
  lines.push('hot-plug capacity:')
  lines.push(
    `  ${t.transport === 'ccw' ? 'CCW device numbers' : 'bridge slots'}: ${c.bridgeSlots} free${hp.length > 0 ? ` (${hp.map((b) => `${b.id}: ${b.free}/${b.capacity}`).join(', ')})` : ' (no bridges)'}`,
  )
  if (t.root !== undefined) lines.push(`  root-bus slots: ${c.rootSlots} free`)
  lines.push(
    c.memory.hotplug
      ? `  memory: ${c.memory.slots - c.memory.slotsUsed} of ${c.memory.slots} slots free, ${c.memory.headroomMiB} MiB below maxmem`
      : '  memory: no memory hot-plug on this arch',
  )
  lines.push(`  vCPUs: ${c.vcpus.free} more (${c.vcpus.cpus} of ${c.vcpus.max})`)
  return `${lines.join('\n')}\n`
}
