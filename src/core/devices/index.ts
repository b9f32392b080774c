/**
 * Devices: the union, the registry of device modules, placement and the dialect profiles.
 *
 * @since 0.1.0
 */
export * from './model.ts'
export * from './placement.ts'
export { type Dialect, type Target } from './profile.ts'
export type { Claim, DeviceModule, Namespace, Problem, Props, Rendering } from './module.ts'
export { claimsOf, kindOf, moduleOf, placementOf, problemOf, registry, renderingOf, sourceOf, viewOf, vocabulary } from './registry.ts'
