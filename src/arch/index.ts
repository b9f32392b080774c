/**
 * All arches, always compiled in: a single process plans for any of them on any host.
 *
 * @since 0.1.0
 */
import type { Arch } from '../core/input/sandbox.ts'
import { amd64 } from './amd64.ts'
import { arm64 } from './arm64.ts'
import { ppc64le } from './ppc64le.ts'
import { s390x } from './s390x.ts'
import type { QemuArch } from './types.ts'

/** @since 0.1.0 @category constructors */
export const arches: Readonly<Record<Arch, QemuArch>> = { amd64, arm64, ppc64le, s390x }

export type * from './types.ts'
