/**
 * The CLI end to end against real QEMU: `qemu-plan run` in the foreground, `hotplug` and `unplug`
 * through its QMP socket and state file, the state file's defences (decoded, checked against
 * QEMU, written privately and atomically, one hot-plug at a time), and Ctrl-C stopping it cleanly
 * and promptly with QMP `quit`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeQemu, tempDir } from '../support/qemu.ts'
import { relocate } from '../support/relocate.ts'

const cli = resolve(import.meta.dirname, '../../bin/qemu-plan.js')
const input = JSON.parse(readFileSync(resolve(import.meta.dirname, '../golden/amd64/q35-runnable-tap-fds.input.json'), 'utf8'))

interface StateDoc {
  readonly format: string
  readonly plan: {
    readonly devices: ReadonlyArray<{ readonly id: string }>
    readonly state: {
      readonly bridges: ReadonlyArray<{ readonly id: string; readonly addr: number; readonly slots: Record<string, string> }>
    }
  }
}

const cliSync = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv = process.env) =>
  spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', env })
const cliAsync = (args: ReadonlyArray<string>): Promise<{ status: number | null; stdout: string; stderr: string }> =>
  new Promise((res) => {
    const c = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    c.stdout.on('data', (d) => (stdout += d))
    c.stderr.on('data', (d) => (stderr += d))
    c.on('exit', (status) => res({ status, stdout, stderr }))
  })

describeQemu('qemu-system-x86_64', 'qemu-plan run / hotplug / unplug', () => {
  let dir: string
  let child: ChildProcess
  let out = ''
  let err = ''
  let exited: Promise<number | null>
  let state: string
  const read = (): StateDoc => JSON.parse(readFileSync(state, 'utf8')) as StateDoc
  const disk = (name: string): string => {
    const p = join(dir, name)
    if (!existsSync(p)) writeFileSync(p, Buffer.alloc(1 << 20))
    return p
  }

  beforeAll(async () => {
    dir = tempDir()
    // the runnable golden without its pre-opened tap fds (a CLI user has none to hand over), five bridges for the concurrency test
    const g = relocate(
      { ...input, sandbox: { ...input.sandbox, devices: input.sandbox.devices.filter((d: { kind: string }) => d.kind !== 'network') } },
      dir,
    )
    const cfg = g.config as { hypervisor: { qemu: Record<string, unknown> } }
    cfg.hypervisor.qemu.default_bridges = 2
    writeFileSync(join(dir, 'config.json'), JSON.stringify(g.config))
    writeFileSync(join(dir, 'sandbox.json'), JSON.stringify(g.sandbox))
    const c = spawn(
      process.execPath,
      [
        cli,
        'run',
        '--config',
        join(dir, 'config.json'),
        '--sandbox',
        join(dir, 'sandbox.json'),
        '--image-size',
        String(g.imageSizeBytes),
        '--seed',
        '1',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    child = c
    c.stdout.on('data', (d) => (out += d))
    c.stderr.on('data', (d) => (err += d))
    exited = new Promise<number | null>((r) => c.on('exit', (code) => r(code)))
    const until = Date.now() + 30_000
    while (!out.includes('running') && Date.now() < until && c.exitCode === null) await new Promise((r) => setTimeout(r, 50))
    expect(out, err).toContain('running sandbox-runnable')
    state = join(dir, 'run', 'runnable', 'qemu-plan.state.json')
  }, 60_000)

  afterAll(async () => {
    // a failed assertion must not leave `run` and its QEMU behind: stop both, whatever state they are in
    if (child !== undefined && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT')
      await new Promise((r) => setTimeout(r, 2000))
      child.kill('SIGKILL')
    }
    try {
      const pid = Number(readFileSync(join(dir, 'run', 'runnable', 'pid'), 'utf8').trim())
      // never 0 or negative: those would signal a whole process group
      if (Number.isInteger(pid) && pid > 0) process.kill(pid, 'SIGKILL')
    } catch {
      // no pid file, or QEMU already gone: the normal case
    }
    rmSync(dir, { recursive: true, force: true })
  })

  it('writes a versioned state file, privately (0600), that hot-plug decodes', () => {
    expect(read().format).toBe('qemu-plan-state/1')
    expect(statSync(state).mode & 0o777).toBe(0o600)
  })

  it('hot-adds disks at the predicted slots, and an unacknowledged unplug times out keeping its slot', () => {
    const hot = cliSync(['hotplug', '--state', state, 'block', '--via', 'virtio-blk', '--id', 'clidisk', '--file', disk('disk.img')])
    expect(hot.status, hot.stderr).toBe(0)
    expect(hot.stdout).toBe('clidisk: bus pci-bridge-0 slot 1, guest PCI path 02/01\n')
    const second = cliSync(['hotplug', '--state', state, 'block', '--via', 'virtio-blk', '--id', 'clidisk2', '--file', disk('disk2.img')])
    expect(second.stdout, second.stderr).toContain('guest PCI path 02/02')
    // the guest runs a fake kernel and never acknowledges: a typed Timeout, and the slot stays taken
    const un = cliSync(['unplug', '--state', state, '--id', 'clidisk', '--timeout-ms', '300'])
    expect(un.status).toBe(1)
    expect(un.stderr).toMatch(/^Timeout: waiting for QMP event DEVICE_DELETED/)
    expect(read().plan.state.bridges[0]?.slots).toEqual({ 1: 'clidisk', 2: 'clidisk2' })
    expect(cliSync(['hotplug', '--state', state, 'teleporter']).status).toBe(2)
  })

  it('follows the configuration: block_device_driver virtio-scsi gives a LUN, and a second one never reuses it', () => {
    const a = cliSync(['hotplug', '--state', state, 'block', '--id', 'lun0', '--file', disk('l0.img'), '--json'])
    expect(a.status, a.stderr).toBe(0)
    expect(JSON.parse(a.stdout)).toMatchObject({ id: 'lun0', placement: { _tag: 'None' } })
  })

  it('refuses a damaged or hand-edited state file with a typed error naming the field, and sends QEMU nothing', () => {
    const good = readFileSync(state, 'utf8')
    try {
      const doc = JSON.parse(good) as { plan: { devices: Array<Record<string, unknown>> } }
      ;(doc.plan.devices[0] as Record<string, unknown>).addr = 'two'
      writeFileSync(state, JSON.stringify(doc))
      const r = cliSync(['hotplug', '--state', state, 'block', '--via', 'virtio-blk', '--id', 'x', '--file', disk('x.img')])
      expect(r.status).toBe(1)
      expect(r.stderr).toMatch(/^InvalidInput: plan\.devices\.0\.addr: expected PCI slot/)
      writeFileSync(state, '{"format": "qemu-plan-state/1", "plan": ')
      expect(cliSync(['hotplug', '--state', state, 'cpus', '--count', '1']).stderr).toMatch(/^InvalidInput: .*JSON/)
    } finally {
      writeFileSync(state, good)
    }
  })

  it('refuses a state file QEMU contradicts (a bridge moved in the file): StateMismatch, nothing sent', () => {
    const good = readFileSync(state, 'utf8')
    try {
      const doc = JSON.parse(good) as {
        plan: {
          devices: Array<{ id: string; addr?: number }>
          state: { bridges: Array<{ addr: number }>; rootSlots: Record<string, string> }
        }
      }
      // consistent in itself: the bridge, its slot-map entry and the root-bus slot all moved to a free slot
      const free = [...Array(32).keys()].find((n) => n > 2 && doc.plan.state.rootSlots[String(n)] === undefined)
      expect(free).toBeDefined()
      const to = free as number
      const b = doc.plan.devices.find((d) => d.id === 'pci-bridge-0')
      expect(b?.addr).toBe(2)
      ;(b as { addr: number }).addr = to
      ;(doc.plan.state.bridges[0] as { addr: number }).addr = to
      delete doc.plan.state.rootSlots['2']
      doc.plan.state.rootSlots[String(to)] = 'pci-bridge-0'
      writeFileSync(state, JSON.stringify(doc))
      const r = cliSync(['hotplug', '--state', state, 'block', '--via', 'virtio-blk', '--id', 'moved', '--file', disk('m.img')])
      expect(r.status).toBe(1)
      expect(r.stderr).toMatch(
        new RegExp(`^StateMismatch: device pci-bridge-0: the state file has it on pcie\\.0 slot ${to}, QEMU on the root bus slot 2`),
      )
      expect(r.stdout).toBe('')
    } finally {
      writeFileSync(state, good)
    }
    // the VM did not get the disk: a hot-plug with the true file gets the first slot the true file has free
    const slots = (JSON.parse(good) as StateDoc).plan.state.bridges[0]?.slots ?? {}
    const first = [...Array(32).keys()].find((n) => n > 0 && slots[String(n)] === undefined) ?? -1
    const after = cliSync(['hotplug', '--state', state, 'block', '--via', 'virtio-blk', '--id', 'after', '--file', disk('a.img')])
    expect(after.stdout, after.stderr).toContain(`after: bus pci-bridge-0 slot ${first},`)
    expect(read().plan.devices.map((d) => d.id)).not.toContain('moved')
  })

  it('writes through a unique temporary file: a symlink planted at the old fixed name is left alone', () => {
    const victim = join(dir, 'victim')
    writeFileSync(victim, 'untouched')
    symlinkSync(victim, `${state}.tmp`)
    const r = cliSync(['hotplug', '--state', state, 'block', '--via', 'virtio-blk', '--id', 'tmpcheck', '--file', disk('t.img')])
    expect(r.status, r.stderr).toBe(0)
    expect(readFileSync(victim, 'utf8')).toBe('untouched')
    expect(readdirSync(join(dir, 'run', 'runnable')).filter((f) => f.endsWith('.tmp') && f !== 'qemu-plan.state.json.tmp')).toEqual([])
  })

  it('serialises concurrent hot-plugs: eight at once all land, every one in the state file, no slot given twice', async () => {
    const ids = Array.from({ length: 8 }, (_, i) => `conc${i}`)
    const rs = await Promise.all(
      ids.map((id) =>
        cliAsync([
          'hotplug',
          '--state',
          state,
          'block',
          '--via',
          'virtio-blk',
          '--id',
          id,
          '--file',
          disk(`${id}.img`),
          '--lock-wait-ms',
          '60000',
        ]),
      ),
    )
    for (const r of rs) expect(r.status, r.stderr).toBe(0)
    const doc = read()
    for (const id of ids) expect(doc.plan.devices.map((d) => d.id)).toContain(id)
    const taken = doc.plan.state.bridges.flatMap((b) => Object.keys(b.slots).map((s) => `${b.id}/${s}`))
    expect(new Set(taken).size).toBe(taken.length)
    const paths = rs.map((r) => /guest PCI path (\S+)/.exec(r.stdout)?.[1])
    expect(new Set(paths).size).toBe(8)
  })

  it('waits a bounded time for the lock (Busy), and takes over a lock whose process is gone', () => {
    writeFileSync(`${state}.lock`, `${process.pid}\n`)
    try {
      const r = cliSync(['hotplug', '--state', state, 'cpus', '--count', '1', '--lock-wait-ms', '300'])
      expect(r.status).toBe(1)
      expect(r.stderr).toMatch(new RegExp(`^Busy: .* is locked by pid ${process.pid} \\(waited 300 ms\\)`))
    } finally {
      rmSync(`${state}.lock`, { force: true })
    }
    // a pid that cannot be alive (beyond pid_max)
    writeFileSync(`${state}.lock`, '4194305\n')
    const r = cliSync(['hotplug', '--state', state, 'cpus', '--count', '1', '--lock-wait-ms', '300'])
    expect(r.status, r.stderr).toBe(0)
    expect(existsSync(`${state}.lock`)).toBe(false)
  })

  it('without python3, a hot-plug that passes fds is refused before anything is sent (MissingProgram)', () => {
    const bin = join(dir, 'no-python')
    mkdirSync(bin, { recursive: true })
    const before = readFileSync(state, 'utf8')
    const r = cliSync(
      ['hotplug', '--state', state, 'network', '--id', 'nopy', '--mac', '02:00:00:00:00:07', '--tap', `qpn${process.pid % 10000}`],
      { ...process.env, PATH: bin },
    )
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/^MissingProgram: python3 is needed to pass fds to QEMU/)
    expect(readFileSync(state, 'utf8')).toBe(before)
    chmodSync(bin, 0o755)
  })

  it('stops on SIGINT with QMP quit, and exits within a second of QEMU', async () => {
    const t0 = Date.now()
    child.kill('SIGINT')
    expect(await exited).toBe(0)
    expect(Date.now() - t0).toBeLessThan(2500)
    expect(out).toContain('stopped sandbox-runnable')
  })
})
