import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { checkArgv, decodeCapabilities, resolveDriver, resolveMachine, type Capabilities } from '../../../src/core/caps.ts'
import { parseQdmAliases } from '../../../src/effects/probe.ts'

const load = (b: string): Capabilities => {
  const r = decodeCapabilities(JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'caps', `${b}.json`), 'utf8')))
  if (E.isLeft(r)) throw new Error(JSON.stringify(r.left))
  return r.right
}
const x86 = load('qemu-system-x86_64')
const s390 = load('qemu-system-s390x')
const base = ['/usr/bin/qemu-system-x86_64', '-machine', 'q35,accel=kvm,kernel_irqchip=on', '-cpu', 'host']
const kinds = (argv: ReadonlyArray<string>, c: Capabilities = x86): ReadonlyArray<string> => {
  const r = checkArgv(argv, c)
  if (E.isLeft(r)) throw new Error(JSON.stringify(r.left))
  return r.right.map((e) => (e._tag === 'CapabilityMissing' ? `${e.position}:${e.kind}:${e.name}` : e._tag))
}

describe('capabilities', () => {
  it('decodes the four fixtures, and names the field of a bad document', () => {
    for (const b of ['qemu-system-aarch64', 'qemu-system-ppc64']) expect(load(b).version).toMatchObject({ major: 7, minor: 2 })
    expect(decodeCapabilities({ ...x86, machines: 'pc' })).toMatchObject({
      left: { _tag: 'InvalidInput', problems: [{ path: 'caps.machines' }] },
    })
  })
  it('resolves machine and driver aliases as the binary does', () => {
    expect(resolveMachine(x86, 'q35')).toBe('pc-q35-7.2')
    expect(resolveDriver(x86, 'virtio-blk')).toBe('virtio-blk-pci')
    expect(resolveDriver(s390, 'virtio-blk')).toBe('virtio-blk-ccw')
    expect(resolveDriver(x86, 'virtio-blk-ccw')).toBeUndefined()
    expect(parseQdmAliases('name "virtio-rng-pci", bus PCI, alias "virtio-rng"\r\nname "x", bus PCI\r\n')).toEqual({
      'virtio-rng': 'virtio-rng-pci',
    })
  })
  it('accepts what the binary has', () => {
    expect(
      kinds([
        ...base,
        '-device',
        'virtio-blk,drive=d,scsi=off,config-wce=off,romfile=,disable-modern=false,id=x,bus=pcie.0,addr=0x3',
        '-object',
        'iothread,id=i',
      ]),
    ).toEqual([])
  })
  it('names every missing thing with its argv token', () => {
    expect(kinds(['-machine', 'virt', '-cpu', 'cortex-a57'])).toEqual(['1:machine:virt', '3:CPU model:cortex-a57'])
    expect(kinds([...base, '-machine', 'q35,gic-version=3'].slice(0, 5).concat(['-device', 'e1000x,id=n']))).toEqual([
      '6:device driver:e1000x',
    ])
    expect(kinds(['-machine', 'q35,gic-version=3'])).toEqual(['1:machine option:pc-q35-7.2.gic-version'])
    expect(kinds(['-device', 'vhost-user-fs-pci,chardev=c,tag=t,cache-size=0M'])).toEqual(['1:property:vhost-user-fs-pci.cache-size'])
    expect(kinds(['-object', 'memory-backend-bogus,id=m,size=1M', '-object', 'rng-random,id=r,filename=/f,bogus=1'])).toEqual([
      '1:object type:memory-backend-bogus',
      '3:property:rng-random.bogus',
    ])
    expect(kinds(['-chardev', 'spicevmc,id=s'])).toEqual([])
    expect(kinds(['-chardev', 'nope,id=s'])).toEqual(['1:chardev backend:nope'])
    expect(kinds(['-device', 'nvdimm,id=n,memdev=m'], s390)).toEqual(['1:device driver:nvdimm'])
    expect(kinds(['-incoming', 'defer'], { ...x86, migrationCapabilities: [] })).toEqual(['1:migration capability:x-ignore-shared'])
  })
  it('is a ParseError when argv cannot be split', () => {
    expect(checkArgv(['-device'], x86)).toMatchObject({ left: { _tag: 'ParseError', position: 0 } })
  })
})
