/**
 * What a QEMU binary can do, as data (the capabilities document `qemu-plan probe` writes), and the
 * pure `check` of a command line against it before launch: unknown machine, machine option,
 * device driver (aliases resolved as the binary resolves them), device property, object type or
 * property, chardev backend, CPU model, and the `x-ignore-shared` migration capability VM
 * templating needs — each a `CapabilityMissing` naming the argv token.
 *
 * @since 0.1.0
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { vocabulary } from './devices/registry.ts'
import { capabilityMissing, type CapabilityMissing, type InvalidInput, type ParseError } from './errors.ts'
import { decodeWith } from './input/decode.ts'
import { toOptions, parseProps, type Option } from './parse/options.ts'

// -------------------------------------------------------------------------------------
// codecs
// -------------------------------------------------------------------------------------

const Names = t.readonlyArray(t.string)
/** Property name → QOM type name. */
const PropTypes = t.readonly(t.record(t.string, t.string))

/** The capabilities document, version 1. @since 0.1.0 @category codecs */
export const Capabilities = t.readonly(
  t.type({
    format: t.literal('qemu-plan-capabilities/1'),
    /** The binary's file name (`qemu-system-x86_64`). */
    binary: t.string,
    version: t.readonly(t.type({ major: t.number, minor: t.number, micro: t.number, package: t.string })),
    machines: t.readonlyArray(
      t.readonly(t.intersection([t.type({ name: t.string }), t.partial({ alias: t.string, default: t.boolean, deprecated: t.boolean })])),
    ),
    /** QOM properties of the machines the planner emits (keyed by resolved name). */
    machineProperties: t.readonly(t.record(t.string, PropTypes)),
    /** Every non-abstract device type. */
    deviceTypes: Names,
    /** `-device` aliases (`virtio-blk` → `virtio-blk-pci`). */
    aliases: t.readonly(t.record(t.string, t.string)),
    /** Properties of every driver the planner can emit that the binary has. */
    devices: t.readonly(t.record(t.string, PropTypes)),
    /** Every user-creatable object type. */
    objectTypes: Names,
    /** Properties of the object types the planner emits. */
    objects: t.readonly(t.record(t.string, PropTypes)),
    chardevBackends: Names,
    cpuModels: Names,
    migrationCapabilities: Names,
  }),
)

/** @since 0.1.0 @category model */
export type Capabilities = t.TypeOf<typeof Capabilities>

/** Decode a capabilities document; problems name their field. @since 0.1.0 @category codecs */
export const decodeCapabilities = (u: unknown): E.Either<InvalidInput, Capabilities> => decodeWith(Capabilities, 'caps')(u)

// -------------------------------------------------------------------------------------
// model
// -------------------------------------------------------------------------------------

/**
 * Machines, drivers and objects a probe records properties of: everything the device modules can
 * emit, what hot-plug adds besides devices (DIMMs, guest RAM), and a few drivers qemu-plan never
 * emits but that Kata command lines from elsewhere use (root ports, the balloon), so `check` can
 * judge those too.
 *
 * @since 0.1.0
 * @category model
 */
export const plannerVocabulary = {
  // not microvm: listing its properties makes QEMU 7.2 abort (acpi_setup_microvm: Assertion `x86ms->fw_cfg' failed)
  machines: ['pc', 'q35', 'pc-lite', 'virt', 'pseries', 's390-ccw-virtio'],
  devices: [...vocabulary.drivers, 'pc-dimm', 'pcie-root-port', 'virtio-balloon-pci', 'virtio-balloon-ccw', 'vhost-user-fs-ccw'],
  objects: [...vocabulary.objects, 'memory-backend-ram'],
} as const

/** `-machine` keys QEMU takes besides the machine's QOM properties (the accelerator's legacy options). @since 0.1.0 @category model */
export const legacyMachineKeys: ReadonlyArray<string> = ['type', 'accel', 'kernel_irqchip', 'kernel-irqchip', 'kvm-shadow-mem']

/** Keys every `-device` takes (qdev's own). @since 0.1.0 @category model */
export const genericDeviceKeys: ReadonlyArray<string> = ['driver', 'id', 'bus']

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

/** The machine a `-machine` name means on this binary (an alias resolves to its machine). @since 0.1.0 @category utils */
export const resolveMachine = (c: Capabilities, name: string): string | undefined =>
  c.machines.find((m) => m.name === name)?.name ?? c.machines.find((m) => m.alias === name)?.name

/** The driver a `-device` name means on this binary. @since 0.1.0 @category utils */
export const resolveDriver = (c: Capabilities, name: string): string | undefined =>
  c.deviceTypes.includes(name)
    ? name
    : c.aliases[name] !== undefined && c.deviceTypes.includes(c.aliases[name] as string)
      ? c.aliases[name]
      : undefined

const missing = (c: Capabilities, o: Option, kind: string, name: string): CapabilityMissing =>
  capabilityMissing({
    position: o.position + 1,
    token: o.value,
    kind,
    name,
    binary: `${c.binary} ${c.version.major}.${c.version.minor}.${c.version.micro}`,
  })

const checkProps = (
  c: Capabilities,
  o: Option,
  owner: string,
  known: Readonly<Record<string, string>> | undefined,
  keys: ReadonlyArray<string>,
  extra: ReadonlyArray<string>,
): ReadonlyArray<CapabilityMissing> =>
  known === undefined
    ? []
    : keys.filter((k) => known[k] === undefined && !extra.includes(k)).map((k) => missing(c, o, 'property', `${owner}.${k}`))

const checkOption = (c: Capabilities, o: Option): ReadonlyArray<CapabilityMissing> => {
  switch (o.flag) {
    case '-machine': {
      const p = parseProps(o.value, 'type')
      const m = p.head === undefined ? undefined : resolveMachine(c, p.head)
      if (m === undefined) return [missing(c, o, 'machine', p.head ?? '(none)')]
      return checkProps(
        c,
        o,
        m,
        c.machineProperties[m],
        p.props.map((x) => x.key),
        legacyMachineKeys,
      ).map((e) => ({ ...e, kind: 'machine option' }))
    }
    case '-device': {
      const p = parseProps(o.value, 'driver')
      const d = p.head === undefined ? undefined : resolveDriver(c, p.head)
      if (d === undefined) return [missing(c, o, 'device driver', p.head ?? '(none)')]
      return checkProps(
        c,
        o,
        d,
        c.devices[d],
        p.props.map((x) => x.key),
        genericDeviceKeys,
      )
    }
    case '-object': {
      const p = parseProps(o.value, 'qom-type')
      if (p.head === undefined || !c.objectTypes.includes(p.head)) return [missing(c, o, 'object type', p.head ?? '(none)')]
      return checkProps(
        c,
        o,
        p.head,
        c.objects[p.head],
        p.props.map((x) => x.key),
        ['id', 'qom-type'],
      )
    }
    case '-chardev': {
      const p = parseProps(o.value, 'backend')
      return p.head !== undefined && c.chardevBackends.includes(p.head) ? [] : [missing(c, o, 'chardev backend', p.head ?? '(none)')]
    }
    case '-cpu': {
      const model = o.value.split(',')[0] ?? ''
      return c.cpuModels.includes(model) ? [] : [missing(c, o, 'CPU model', model)]
    }
    case '-incoming':
      return c.migrationCapabilities.includes('x-ignore-shared') ? [] : [missing(c, o, 'migration capability', 'x-ignore-shared')]
    default:
      return []
  }
}

// -------------------------------------------------------------------------------------
// planning
// -------------------------------------------------------------------------------------

/**
 * Check argv (with or without the binary) against a binary's capabilities. Every problem is
 * reported, in argv order; an argv this parser cannot split is its `ParseError`.
 *
 * @since 0.1.0
 * @category planning
 */
export const checkArgv = (argv: ReadonlyArray<string>, c: Capabilities): E.Either<ParseError, ReadonlyArray<CapabilityMissing>> => {
  const hasBinary = argv[0] !== undefined && !argv[0].startsWith('-')
  const opts = toOptions(hasBinary ? argv.slice(1) : argv, hasBinary ? 1 : 0)
  return E.map((os: ReadonlyArray<Option>) => os.flatMap((o) => checkOption(c, o)))(opts)
}
