/**
 * Probe a QEMU binary for the capabilities document: version, machines (with the QOM properties
 * of the machines the planner emits), device types and aliases, the properties of every driver
 * and object type the planner can emit, chardev backends, CPU models and migration capabilities.
 * Written against a minimal executor (`execute(command, args)`), so it runs over any QMP
 * connection to a `-machine none` instance; every list is sorted, so a probe is reproducible.
 *
 * @since 0.1.0
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import * as E from 'fp-ts/lib/Either.js'
import * as TE from 'fp-ts/lib/TaskEither.js'
import { decodeCapabilities, plannerVocabulary, type Capabilities } from '../core/caps.ts'
import { io, qmpProtocol, type PlanError } from '../core/errors.ts'
import { errnoCode } from './files.ts'
import { launch } from './launcher.ts'
import { waitForQmp } from './qmp-client.ts'

// -------------------------------------------------------------------------------------
// ports
// -------------------------------------------------------------------------------------

/** What the probe needs from a QMP connection (after `qmp_capabilities`). @since 0.1.0 @category ports */
export interface QmpExecutor {
  /** Run a command; resolve with its `return` value, reject on an `error` answer or a lost connection. */
  readonly execute: (command: string, args?: Readonly<Record<string, unknown>>) => Promise<unknown>
}

// -------------------------------------------------------------------------------------
// utils
// -------------------------------------------------------------------------------------

const arr = (u: unknown): ReadonlyArray<Record<string, unknown>> =>
  Array.isArray(u) ? u.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null) : []
const str = (u: unknown): string => (typeof u === 'string' ? u : '')
const names = (u: unknown, key = 'name'): ReadonlyArray<string> =>
  [
    ...new Set(
      arr(u)
        .map((x) => str(x[key]))
        .filter((n) => n !== ''),
    ),
  ].sort()
const propTypes = (u: unknown): Readonly<Record<string, string>> =>
  Object.fromEntries(
    arr(u)
      .map((x) => [str(x.name), str(x.type)] as const)
      .filter(([n]) => n !== '')
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  )

/** `info qdm` lines: `name "virtio-blk-pci", bus PCI, alias "virtio-blk"`. @since 0.1.0 @category utils */
export const parseQdmAliases = (text: string): Readonly<Record<string, string>> => {
  const out: Array<readonly [string, string]> = []
  for (const line of text.split(/\r?\n/)) {
    const m = /^name "([^"]+)".*?, alias "([^"]+)"/.exec(line)
    if (m?.[1] !== undefined && m[2] !== undefined) out.push([m[2], m[1]])
  }
  return Object.fromEntries(out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}

const sortedRecord = <A>(entries: ReadonlyArray<readonly [string, A]>): Readonly<Record<string, A>> =>
  Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))

// -------------------------------------------------------------------------------------
// programs
// -------------------------------------------------------------------------------------

const collect = async (binary: string, q: QmpExecutor): Promise<unknown> => {
  const version = (await q.execute('query-version')) as { qemu?: { major?: number; minor?: number; micro?: number }; package?: string }
  const machines = arr(await q.execute('query-machines'))
    .map((m) => ({
      name: str(m.name),
      ...(typeof m.alias === 'string' ? { alias: m.alias } : {}),
      ...(m['is-default'] === true ? { default: true } : {}),
      ...(m.deprecated === true ? { deprecated: true } : {}),
    }))
    .sort((a, b) => (a.name < b.name ? -1 : 1))
  const deviceTypes = names(await q.execute('qom-list-types', { implements: 'device', abstract: false }))
  const aliases = parseQdmAliases(str(await q.execute('human-monitor-command', { 'command-line': 'info qdm' })))
  const objectTypes = names(await q.execute('qom-list-types', { implements: 'user-creatable', abstract: false }))
  const resolved = [
    ...new Set(plannerVocabulary.machines.flatMap((n) => machines.filter((m) => m.name === n || m.alias === n).map((m) => m.name))),
  ]
  const machineProperties: Array<readonly [string, Readonly<Record<string, string>>]> = []
  for (const m of resolved) machineProperties.push([m, propTypes(await q.execute('qom-list-properties', { typename: `${m}-machine` }))])
  const devices: Array<readonly [string, Readonly<Record<string, string>>]> = []
  for (const d of plannerVocabulary.devices.filter((x) => deviceTypes.includes(x)))
    devices.push([d, propTypes(await q.execute('device-list-properties', { typename: d }))])
  const objects: Array<readonly [string, Readonly<Record<string, string>>]> = []
  for (const o of plannerVocabulary.objects.filter((x) => objectTypes.includes(x)))
    objects.push([o, propTypes(await q.execute('qom-list-properties', { typename: o }))])
  return {
    format: 'qemu-plan-capabilities/1',
    binary,
    version: {
      major: version.qemu?.major ?? 0,
      minor: version.qemu?.minor ?? 0,
      micro: version.qemu?.micro ?? 0,
      package: version.package ?? '',
    },
    machines,
    machineProperties: sortedRecord(machineProperties),
    deviceTypes,
    aliases,
    devices: sortedRecord(devices),
    objectTypes,
    objects: sortedRecord(objects),
    chardevBackends: names(await q.execute('query-chardev-backends')),
    cpuModels: names(await q.execute('query-cpu-definitions')),
    migrationCapabilities: names(await q.execute('query-migrate-capabilities'), 'capability'),
  }
}

/**
 * Probe over an open QMP connection. `binary` is the file name recorded in the document.
 *
 * @since 0.1.0
 * @category adapters
 */
export const probe = (binary: string, q: QmpExecutor): TE.TaskEither<PlanError, Capabilities> =>
  TE.flatMapEither(
    TE.tryCatch(
      () => collect(binary, q),
      (e) =>
        typeof e === 'object' && e !== null && '_tag' in e
          ? (e as PlanError)
          : qmpProtocol({ line: '', reason: `probe failed: ${e instanceof Error ? e.message : String(e)}` }),
    ),
    decodeCapabilities,
  )

/**
 * Probe an installed binary: start it with `-machine none` paused and a QMP socket in a temp dir,
 * run `probe` over the QMP client, quit it and clean up.
 *
 * @since 0.1.0
 * @category adapters
 */
export const probeBinary =
  (path: string, name = basename(path), timeoutMs = 20_000): TE.TaskEither<PlanError, Capabilities> =>
  async () => {
    let dir: string
    try {
      dir = mkdtempSync(join(tmpdir(), 'qemu-plan-probe-'))
    } catch (e) {
      return E.left(io({ op: 'mkdir', path: join(tmpdir(), 'qemu-plan-probe-…'), code: errnoCode(e) }))
    }
    const sock = join(dir, 'qmp.sock')
    try {
      const proc = await launch(path, [
        '-machine',
        'none',
        '-nodefaults',
        '-display',
        'none',
        '-S',
        '-qmp',
        `unix:${sock},server=on,wait=off`,
      ])()
      if (E.isLeft(proc)) return proc
      try {
        const qmp = await waitForQmp(sock, { process: proc.right, timeoutMs })()
        if (E.isLeft(qmp)) return qmp
        const executor: QmpExecutor = {
          execute: async (command, args) => {
            const r = await qmp.right.execute(command, args, timeoutMs)()
            if (E.isLeft(r)) throw r.left
            return r.right
          },
        }
        const caps = await probe(name, executor)()
        await qmp.right.execute('quit', undefined, 2000)()
        await qmp.right.close()
        return caps
      } finally {
        proc.right.kill()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
