/**
 * The project's private immer instance. Auto-freeze is on, so every plan value is deeply frozen —
 * including objects a caller passes in and the plan stores (see README). Nobody calls the global
 * `setAutoFreeze`.
 *
 * @since 0.1.0
 */
import { Immer } from 'immer'

const immer = new Immer({ autoFreeze: true })

/** @since 0.1.0 @category utils */
export const produce = immer.produce.bind(immer) as Immer['produce']
