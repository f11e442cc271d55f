#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.0-or-later
# gen-privop-seeds.py [DIR]: write the seed corpus of fuzz-privop (default:
# corpus-privop next to this script).  Each seed is one fd-count byte and a
# valid request as our own client sends it (privop.c / privsep.c wire
# formats, host byte order), so the fuzzer starts from every operation and
# every whitelisted mount option instead of having to find the magic.
# Rerun after a change of either wire format and commit the result.
import os
import struct
import sys

PRIVOP_MAGIC = 0x7076706F
(SETUP_ROOT, BIND, MOUNT_FS, SET_RDONLY,
 HOSTNAME, LOOPBACK, ENTER_NEW_ROOT) = range(1, 8)
BIND_READONLY, BIND_DEVICES = 1, 2                      # bind-mount.h
RDONLY, NOSUID, NODEV, NOEXEC = 1, 2, 4, 8              # MOUNT_ATTR_*

PRIVSEP_MAGIC = 0x62777270
PRIVSEP_OP_CLONE_SANDBOX = 2
PRIVSEP_DEV = 1
NEWNS, NEWCGROUP, NEWUTS, NEWIPC = 0x20000, 0x2000000, 0x4000000, 0x8000000
NEWUSER, NEWPID, NEWNET = 0x10000000, 0x20000000, 0x40000000


def privop(n_fds, op, flags=0, strings=()):
    body = b"".join(s.encode() + b"\0" for s in strings)
    return bytes([n_fds]) + struct.pack("=4I", PRIVOP_MAGIC, op, flags,
                                        len(strings)) + body


def privsep(clone_flags, uid, gid, flags=0):
    # The fd-count byte does not matter to privsep_decode; 2 as sent.
    return bytes([2]) + struct.pack("=6I", PRIVSEP_MAGIC,
                                    PRIVSEP_OP_CLONE_SANDBOX, clone_flags,
                                    uid, gid, flags)


SEEDS = {
    "setup-root": privop(0, SETUP_ROOT),
    "loopback": privop(0, LOOPBACK),
    "enter-new-root": privop(0, ENTER_NEW_ROOT),
    "bind": privop(2, BIND),
    "bind-ro": privop(2, BIND, BIND_READONLY),
    "bind-dev-ro": privop(2, BIND, BIND_READONLY | BIND_DEVICES),
    "set-rdonly": privop(1, SET_RDONLY),
    "hostname": privop(0, HOSTNAME, 0, ["sandbox"]),
    "hostname-64": privop(0, HOSTNAME, 0, ["h" * 64]),
    # What dev.c and mount-fs.c send.
    "tmpfs": privop(1, MOUNT_FS, NOSUID | NODEV,
                    ["tmpfs", "mode=0755", "size=1048576",
                     "context=system_u:object_r:tmp_t:s0"]),
    "tmpfs-ro": privop(1, MOUNT_FS, RDONLY | NOSUID | NODEV | NOEXEC,
                       ["tmpfs", "mode=01777"]),
    "devpts": privop(1, MOUNT_FS, NOSUID | NOEXEC,
                     ["devpts", "newinstance", "ptmxmode=0666", "mode=620"]),
    "proc": privop(1, MOUNT_FS, NOSUID | NODEV | NOEXEC, ["proc"]),
    "mqueue": privop(1, MOUNT_FS, 0, ["mqueue"]),
    # The largest valid request (every string at its limit), and one past
    # the 4112-byte maximum of any request, which mutation rarely reaches.
    "tmpfs-largest": privop(1, MOUNT_FS, NOSUID | NODEV,
                            ["tmpfs"] + ["context=" + "l" * 255] * 9),
    "too-long": privop(0, HOSTNAME, 0, ["h" * 4100]),
    "privsep": privsep(NEWUSER | NEWNS | NEWPID, 0, 0),
    "privsep-all-dev": privsep(NEWUSER | NEWNS | NEWPID | NEWNET | NEWUTS
                               | NEWIPC | NEWCGROUP, 1000, 100, PRIVSEP_DEV),
}

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "corpus-privop")
os.makedirs(out, exist_ok=True)
for name, data in SEEDS.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
