/**
 * The smallest files each arch's QEMU accepts as `-kernel` / `-initrd`, built at test time: QEMU
 * loads the kernel during machine init, before `-S` pauses anything (QEMU 7.2: `hw/i386/x86.c`
 * `x86_load_linux` reads the Linux x86 boot-protocol header, `hw/ppc/spapr.c` loads an ELF,
 * `hw/arm/boot.c` and `hw/s390x/ipl.c` fall back to a raw image).
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

export type Arch = 'amd64' | 'arm64' | 'ppc64le' | 's390x'

const x86 = (): Buffer => {
  const b = Buffer.alloc(64 * 1024)
  b[0x1f1] = 1 // setup_sects
  b[0x1fe] = 0x55
  b[0x1ff] = 0xaa
  b.write('HdrS', 0x202, 'latin1')
  b.writeUInt16LE(0x020f, 0x206) // boot protocol 2.15
  b[0x211] = 1 // loadflags: LOADED_HIGH
  b.writeUInt32LE(0x37ffffff, 0x22c) // initrd_addr_max
  return b
}

// A big-endian ELF64 for PowerPC (e_machine 21) with one 4 KiB PT_LOAD segment.
const ppc64 = (): Buffer => {
  const b = Buffer.alloc(0x1000 + 0x1000)
  b.write('\x7fELF', 0, 'latin1')
  b[4] = 2 // ELFCLASS64
  b[5] = 2 // big endian
  b[6] = 1
  b.writeUInt16BE(2, 16) // ET_EXEC
  b.writeUInt16BE(21, 18) // EM_PPC64
  b.writeUInt32BE(1, 20)
  b.writeBigUInt64BE(0x1000n, 24) // entry
  b.writeBigUInt64BE(64n, 32) // phoff
  b.writeUInt16BE(64, 52) // ehsize
  b.writeUInt16BE(56, 54) // phentsize
  b.writeUInt16BE(1, 56) // phnum
  const ph = 64
  b.writeUInt32BE(1, ph) // PT_LOAD
  b.writeUInt32BE(7, ph + 4)
  b.writeBigUInt64BE(0x1000n, ph + 8) // offset
  b.writeBigUInt64BE(0x1000n, ph + 16) // vaddr
  b.writeBigUInt64BE(0x1000n, ph + 24) // paddr
  b.writeBigUInt64BE(0x1000n, ph + 32) // filesz
  b.writeBigUInt64BE(0x1000n, ph + 40) // memsz
  b.writeBigUInt64BE(0x1000n, ph + 48) // align
  return b
}

/** Write a kernel and an initrd for `arch` into `dir`. */
export const fakeKernel = (arch: Arch, dir: string): { kernel: string; initrd: string } => {
  const kernel = join(dir, `vmlinuz-${arch}`)
  const initrd = join(dir, `initrd-${arch}`)
  writeFileSync(kernel, arch === 'amd64' ? x86() : arch === 'ppc64le' ? ppc64() : Buffer.alloc(64 * 1024))
  writeFileSync(initrd, Buffer.alloc(4096))
  return { kernel, initrd }
}
