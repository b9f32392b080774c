/** Freeze a value and everything it reaches, so a test can show that a function never writes to its input. */
export const deepFreeze = <A>(x: A): A => {
  if (typeof x === 'object' && x !== null) {
    for (const v of Object.values(x)) deepFreeze(v)
    Object.freeze(x)
  }
  return x
}
