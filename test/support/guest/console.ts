/**
 * The host end of the guest's report: a client of the plan's console chardev (a unix socket with
 * `server=on,wait=off`), reading the `QP …` lines `init.sh` writes on hvc0. Every line is kept with
 * the host time it arrived (guest clocks run fast under TCG), so a test can wait for a line from a
 * mark on and later ask what came after.
 */
import { createConnection, type Socket } from 'node:net'

export interface Line {
  readonly at: number
  /** The text after `QP `, split on spaces: `['add', 'blk', 'vda', 'pci', '02/01']`. */
  readonly words: ReadonlyArray<string>
  readonly text: string
}

export interface Console {
  /** Every `QP` line so far. */
  readonly lines: () => ReadonlyArray<Line>
  /** Everything else the guest wrote (shell errors), for failure messages. */
  readonly noise: () => ReadonlyArray<string>
  /** A position in `lines`; `waitFor` looks from there on. */
  readonly mark: () => number
  /** The first line from `from` on whose text matches, or a rejection naming what did come. */
  readonly waitFor: (match: RegExp, timeoutMs: number, from?: number) => Promise<Line>
  readonly close: () => void
}

export const connectConsole = (path: string, timeoutMs = 5000): Promise<Console> =>
  new Promise((resolve, reject) => {
    const lines: Array<Line> = []
    const noise: Array<string> = []
    const waiters = new Set<() => void>()
    let buf = ''
    const sock: Socket = createConnection(path)
    const timer = setTimeout(() => {
      sock.destroy()
      reject(new Error(`cannot connect to the console ${path} within ${timeoutMs} ms`))
    }, timeoutMs)
    sock.setEncoding('utf8')
    sock.on('data', (s: string) => {
      buf += s
      const parts = buf.split(/\r?\n|\r/)
      buf = parts.pop() ?? ''
      for (const raw of parts) {
        const t = raw.trim()
        if (t.startsWith('QP ')) lines.push({ at: Date.now(), words: t.slice(3).split(/\s+/), text: t.slice(3) })
        else if (t !== '' && noise.length < 200) noise.push(t)
      }
      for (const w of [...waiters]) w()
    })
    sock.on('error', (e) => {
      clearTimeout(timer)
      reject(e)
    })
    sock.once('connect', () => {
      clearTimeout(timer)
      const describe = (from: number): string =>
        `guest said: ${JSON.stringify(lines.slice(from).map((l) => l.text))}${noise.length > 0 ? `; other output: ${JSON.stringify(noise.slice(-10))}` : ''}`
      resolve({
        lines: () => lines,
        noise: () => noise,
        mark: () => lines.length,
        waitFor: (match, ms, from = 0) =>
          new Promise((res, rej) => {
            const check = (): boolean => {
              const hit = lines.slice(from).find((l) => match.test(l.text))
              if (hit === undefined) return false
              done()
              res(hit)
              return true
            }
            const t = setTimeout(() => {
              done()
              rej(new Error(`no guest line matching ${match} within ${ms} ms; ${describe(from)}`))
            }, ms)
            const done = (): void => {
              clearTimeout(t)
              waiters.delete(check)
            }
            if (!check()) waiters.add(check)
          }),
        close: () => sock.destroy(),
      })
    })
  })
