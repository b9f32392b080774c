/** `qemu-plan host` and `qemu-plan config`, in-process. */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dispatch } from '../../src/cli/dispatch.ts'

const cli = async (args: ReadonlyArray<string>) => {
  let out = ''
  let err = ''
  const code = await dispatch(args, { out: (s) => (out += s), err: (s) => (err += s) })
  return { code, out, err }
}
const example = join(import.meta.dirname, '../../examples/configuration.toml')

describe('qemu-plan config', () => {
  it('prints every key after katautils, as TOML', async () => {
    const r = await cli(['config', '--config', example])
    expect(r.code).toBe(0)
    expect(r.out.startsWith('[hypervisor.qemu]\n')).toBe(true)
    expect(r.out).toContain('\nentropy_source = "/dev/urandom"\n')
    expect(r.out).toContain('\nmsize_9p = 8192\n')
  })
  it('--json gives key → value, null when not set', async () => {
    const r = await cli(['config', '--config', example, '--json'])
    const doc = JSON.parse(r.out) as Record<string, unknown>
    expect(doc).toMatchObject({ default_maxvcpus: 8, memory_slots: 10, firmware: null })
  })
  it('needs --config', async () => expect((await cli(['config'])).code).toBe(2))
})

describe('qemu-plan host', () => {
  it.runIf(process.platform === 'linux')("prints this host's facts in the sandbox's host shape", async () => {
    const r = await cli(['host', '--json'])
    expect(r.code).toBe(0)
    const h = JSON.parse(r.out) as Record<string, unknown>
    expect(h.memoryMiB).toBeGreaterThan(0)
    expect(h.cpus).toBeGreaterThan(0)
    if (process.arch === 'x64') expect(typeof h.nested).toBe('boolean')
  })
  it('takes no arguments', async () => expect((await cli(['host', 'x'])).code).toBe(2))
})
