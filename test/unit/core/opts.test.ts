/** The option-string builder: escaping, booleans, dropped pairs, and its inverse parser. */
import { describe, expect, it } from 'vitest'
import { escape, opts, parseOpts } from '../../../src/core/opts.ts'

describe('escape', () => {
  it('doubles every comma and leaves other text alone', () => {
    expect(escape('/a,b,,c')).toBe('/a,,b,,,,c')
    expect(escape('plain=value:x')).toBe('plain=value:x')
    expect(escape('')).toBe('')
  })
})

describe('opts', () => {
  it('renders a driver then key=value pairs in order', () => {
    expect(opts(['virtio-blk-pci', ['drive', 'd0'], ['addr', '0x3']])).toBe('virtio-blk-pci,drive=d0,addr=0x3')
  })
  it('maps booleans to on/off and numbers to decimal', () => {
    expect(
      opts([
        ['share', true],
        ['prealloc', false],
        ['size', 134217728],
      ]),
    ).toBe('share=on,prealloc=off,size=134217728')
  })
  it('drops pairs whose value is undefined, without leaving commas behind', () => {
    expect(opts([['a', undefined], 'drv', ['b', undefined], ['c', '1'], ['d', undefined]])).toBe('drv,c=1')
    expect(opts([['a', undefined]])).toBe('')
    expect(opts([])).toBe('')
  })
  it('keeps an empty bare element, even first', () => {
    expect(opts(['', ['a', '1']])).toBe(',a=1')
    expect(opts(['d', ''])).toBe('d,')
  })
  it('keeps an empty string value (govmm romfile=)', () => {
    expect(opts(['d', ['romfile', '']])).toBe('d,romfile=')
  })
  it('escapes commas in values and in bare elements (govmm qemu/qemu.go did not)', () => {
    expect(opts(['memory-backend-file', ['mem-path', '/img,x'], ['id', 'm']])).toBe('memory-backend-file,mem-path=/img,,x,id=m')
    expect(opts(['a,b'])).toBe('a,,b')
  })
  it('does not escape keys (keys are ours, never user input)', () => {
    expect(opts([['k', 'v']])).toBe('k=v')
  })
})

describe('parseOpts', () => {
  it('splits on single commas and reads ,, as a literal comma', () => {
    expect(parseOpts('drv,file=/a,,b,if=none')).toEqual([
      ['drv', undefined],
      ['file', '/a,b'],
      ['if', 'none'],
    ])
  })
  it('splits key and value at the first =', () => {
    expect(parseOpts('k=v=w')).toEqual([['k', 'v=w']])
    expect(parseOpts('romfile=')).toEqual([['romfile', '']])
  })
  it('keeps empty elements', () => {
    expect(parseOpts('')).toEqual([['', undefined]])
    expect(parseOpts('a,')).toEqual([
      ['a', undefined],
      ['', undefined],
    ])
  })
  it('reads ,,, as a literal comma followed by a separator', () => {
    expect(parseOpts('a=x,,,b=y')).toEqual([
      ['a', 'x,'],
      ['b', 'y'],
    ])
  })
  it('inverts opts', () => {
    const s = opts(['drv', ['path', '/x,y,,z'], ['on', true], ['n', 7]])
    expect(parseOpts(s)).toEqual([
      ['drv', undefined],
      ['path', '/x,y,,z'],
      ['on', 'on'],
      ['n', '7'],
    ])
  })
})
