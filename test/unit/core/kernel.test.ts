/** Kernel parameters: parse, SerializeParams and the -append line (Kata virtcontainers/hypervisor.go, qemu.go kernelParameters). */
import { describe, expect, it } from 'vitest'
import { kernelCmdline, param, parseParams, serializeParams } from '../../../src/core/kernel.ts'

describe('param', () => {
  it('defaults the value to empty', () => expect(param('quiet')).toEqual({ key: 'quiet', value: '' }))
})

describe('parseParams', () => {
  it('splits on runs of whitespace and at the first =', () => {
    expect(parseParams('  a=b \t c  d=e=f\n')).toEqual([param('a', 'b'), param('c'), param('d', 'e=f')])
  })
  it('keeps a leading = as a value without key', () => {
    expect(parseParams('=x')).toEqual([param('', 'x')])
  })
  it('gives nothing for an empty or blank string', () => {
    expect(parseParams('')).toEqual([])
    expect(parseParams('   ')).toEqual([])
  })
})

describe('serializeParams', () => {
  it('follows SerializeParams: skip empty, key only, value only, key=value', () => {
    expect(serializeParams([param('', ''), param('quiet'), param('', 'v'), param('panic', '1')])).toEqual(['quiet', 'v', 'panic=1'])
  })
  it('keeps duplicates in order (the guest honours the last one)', () => {
    expect(serializeParams([param('a', '1'), param('a', '2')])).toEqual(['a=1', 'a=2'])
  })
})

describe('kernelCmdline', () => {
  it('joins with single spaces; a value with a space yields a separate word, as in Kata', () => {
    expect(kernelCmdline([param('rootflags', 'dax,data=ordered,errors=remount-ro ro'), param('quiet')])).toBe(
      'rootflags=dax,data=ordered,errors=remount-ro ro quiet',
    )
  })
  it('is empty for no parameters', () => expect(kernelCmdline([])).toBe(''))
})
