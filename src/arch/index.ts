/**
 * All arches, always compiled in: a single process plans for any of them on any host.
 *
 * @since 0.1.0
 */
import type { Arch } from '../core/input/sandbox.ts'
import { amd64 } from './amd64.ts'
import type { QemuArch } from './types.ts'

/** @since 0.1.0 @category constructors */
export const arches: Partial<Readonly<Record<Arch, QemuArch>>> = { amd64 }

export type * from './types.ts'
