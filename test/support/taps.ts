/**
 * Real tap fds for QEMU. Node has no ioctl(2), so a python3 exec-wrapper opens /dev/net/tun once
 * per queue, attaches each fd to its tap (TUNSETIFF with IFF_TAP|IFF_NO_PI|IFF_MULTI_QUEUE, so the
 * queues of one tap share it), moves them to fds 3, 4, … and execs QEMU — which then sees exactly
 * the fd numbers the plan rendered.
 */

/** One tap per network, `queues` fds each, in plan order. */
export interface Tap {
  readonly name: string
  readonly queues: number
}

export const tapWrapper = (taps: ReadonlyArray<Tap>): ReadonlyArray<string> => [
  '-c',
  [
    'import fcntl,os,struct,sys',
    `taps=${JSON.stringify(taps.map((t) => [t.name, t.queues]))}`,
    'fds=[]',
    'for name,queues in taps:',
    '    for _ in range(queues):',
    '        f=os.open("/dev/net/tun",os.O_RDWR)',
    '        fcntl.ioctl(f,0x400454ca,struct.pack("16sH",name.encode(),0x0002|0x1000|0x0100))',
    '        fds.append(f)',
    'tmp=[os.dup(f) for f in fds]',
    'for i,f in enumerate(tmp): os.dup2(f,3+i,inheritable=True)',
    'os.execv(sys.argv[1],sys.argv[1:])',
  ].join('\n'),
]
