#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.0-or-later
"""seccomp-bpf.py: write small classic BPF seccomp programs for the tests.

A program is an array of struct sock_filter { u16 code; u8 jt; u8 jf;
u32 k; } in host byte order, which is what --seccomp and --add-seccomp-fd
read (libseccomp's seccomp_export_bpf writes the same).  Written here so
the tests need no library.

    seccomp-bpf.py deny NAME:ERRNO...   NAME fails with ERRNO (e.g. mkdir:EPERM);
                                        everything else is allowed
    seccomp-bpf.py allow N              N instructions, all allowed
                                        (N-1 no-op jumps, then RET ALLOW)
    seccomp-bpf.py bytes N              N zero bytes (malformed on purpose)
    seccomp-bpf.py invalid              one instruction with an unknown opcode

The program goes to stdout.  Exit status 77 on an architecture this script
has no syscall numbers for (the caller skips).
"""
import errno
import os
import platform
import struct
import sys

# struct seccomp_data: int nr; __u32 arch; ...
OFF_NR = 0
OFF_ARCH = 4

BPF_LD_W_ABS = 0x20     # BPF_LD | BPF_W | BPF_ABS
BPF_JEQ_K = 0x15        # BPF_JMP | BPF_JEQ | BPF_K
BPF_JA = 0x05           # BPF_JMP | BPF_JA
BPF_RET_K = 0x06        # BPF_RET | BPF_K

SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000

# Each name stands for the syscall and its *at twin, so the filter works
# whichever one the C library calls ("clone": clone and clone3).
ARCHES = {
    "x86_64": (0xC000003E, {
        "mkdir": [83, 258], "symlink": [88, 266], "execve": [59, 322],
        "prctl": [157], "uname": [63], "chdir": [80], "clone": [56, 435],
    }),
    "aarch64": (0xC00000B7, {
        "mkdir": [34], "symlink": [36], "execve": [221, 281],
        "prctl": [167], "uname": [160], "chdir": [49], "clone": [220, 435],
    }),
}


def insn(code, jt, jf, k):
    return struct.pack("=HBBI", code, jt, jf, k)


def deny_program(rules):
    machine = platform.machine()
    if machine not in ARCHES:
        sys.stderr.write("seccomp-bpf.py: no syscall table for %s\n" % machine)
        sys.exit(77)
    audit_arch, table = ARCHES[machine]
    pairs = []
    for rule in rules:
        name, _, err = rule.partition(":")
        if name not in table or not hasattr(errno, err):
            sys.exit("seccomp-bpf.py: bad rule %r" % rule)
        for nr in table[name]:
            pairs.append((nr, getattr(errno, err)))
    prog = [
        insn(BPF_LD_W_ABS, 0, 0, OFF_ARCH),
        # Another ABI (e.g. i386 on x86_64) has other numbers: allow it.
        insn(BPF_JEQ_K, 1, 0, audit_arch),
        insn(BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW),
        insn(BPF_LD_W_ABS, 0, 0, OFF_NR),
    ]
    for nr, err in pairs:
        prog.append(insn(BPF_JEQ_K, 0, 1, nr))
        prog.append(insn(BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | err))
    prog.append(insn(BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW))
    return b"".join(prog)


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    mode = argv[1]
    if mode == "deny" and len(argv) > 2:
        data = deny_program(argv[2:])
    elif mode == "allow" and len(argv) == 3 and int(argv[2]) >= 1:
        n = int(argv[2])
        data = insn(BPF_JA, 0, 0, 0) * (n - 1) + insn(BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW)
    elif mode == "bytes" and len(argv) == 3:
        data = b"\0" * int(argv[2])
    elif mode == "invalid" and len(argv) == 2:
        data = insn(0xFFFF, 0, 0, 0)
    else:
        sys.exit(__doc__)
    os.write(1, data)


if __name__ == "__main__":
    main(sys.argv)
