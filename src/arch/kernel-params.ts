/**
 * Kernel parameters every arch shares (Kata's `qemu_arch_base.go`): `quiet` or `debug`, and the
 * systemd ones that come with an image.
 *
 * @since 0.3.0
 */
import { param, type Param } from '../core/kernel.ts'

/** @since 0.1.0 @category model */
export const kernelParamsNonDebug: ReadonlyArray<Param> = [param('quiet')]
/** @since 0.1.0 @category model */
export const kernelParamsSystemdNonDebug: ReadonlyArray<Param> = [param('systemd.show_status', 'false')]
/** @since 0.1.0 @category model */
export const kernelParamsDebug: ReadonlyArray<Param> = [param('debug')]
/** @since 0.1.0 @category model */
export const kernelParamsSystemdDebug: ReadonlyArray<Param> = [param('systemd.show_status', 'true'), param('systemd.log_level', 'debug')]
