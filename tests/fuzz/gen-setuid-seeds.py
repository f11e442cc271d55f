#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.0-or-later
# gen-setuid-seeds.py [DIR]: write the seed corpus of fuzz-setuid-decoders
# (default: corpus-setuid-decoders next to this script).  Each seed is one
# fd-count byte and a valid request as our own clients send it (peer-codec.c
# and setuid-helper.c wire formats, host byte order), so the fuzzer starts from every operation and
# every whitelisted mount option instead of having to find the magic.
# Rerun after a change of either wire format and commit the result.
import os
import struct
import sys

PEER_MAGIC = 0x7076706F
(SETUP_ROOT, BIND, MOUNT_FS, SET_RDONLY,
 HOSTNAME, LOOPBACK, ENTER_NEW_ROOT) = range(1, 8)
BIND_READONLY, BIND_DEVICES = 1, 2                      # bind-mount.h
RDONLY, NOSUID, NODEV, NOEXEC = 1, 2, 4, 8              # MOUNT_ATTR_*

SETUID_HELPER_MAGIC = 0x62777270
SETUID_HELPER_OP_CLONE_SANDBOX = 2
SETUID_HELPER_DEV = 1
NEWNS, NEWCGROUP, NEWUTS, NEWIPC = 0x20000, 0x2000000, 0x4000000, 0x8000000
NEWUSER, NEWPID, NEWNET = 0x10000000, 0x20000000, 0x40000000


def peer(n_fds, op, flags=0, strings=()):
    body = b"".join(s.encode() + b"\0" for s in strings)
    return bytes([n_fds]) + struct.pack("=4I", PEER_MAGIC, op, flags,
                                        len(strings)) + body


def helper(clone_flags, uid, gid, flags=0):
    # The fd-count byte does not matter to setuid_helper_decode; 2 as sent.
    return bytes([2]) + struct.pack("=6I", SETUID_HELPER_MAGIC,
                                    SETUID_HELPER_OP_CLONE_SANDBOX, clone_flags,
                                    uid, gid, flags)


SEEDS = {
    "setup-root": peer(0, SETUP_ROOT),
    "loopback": peer(0, LOOPBACK),
    "enter-new-root": peer(0, ENTER_NEW_ROOT),
    "bind": peer(2, BIND),
    "bind-ro": peer(2, BIND, BIND_READONLY),
    "bind-dev-ro": peer(2, BIND, BIND_READONLY | BIND_DEVICES),
    "set-rdonly": peer(1, SET_RDONLY),
    "hostname": peer(0, HOSTNAME, 0, ["sandbox"]),
    "hostname-64": peer(0, HOSTNAME, 0, ["h" * 64]),
    # What dev.c and mount-fs.c send.
    "tmpfs": peer(1, MOUNT_FS, NOSUID | NODEV,
                    ["tmpfs", "mode=0755", "size=1048576",
                     "context=system_u:object_r:tmp_t:s0"]),
    "tmpfs-ro": peer(1, MOUNT_FS, RDONLY | NOSUID | NODEV | NOEXEC,
                       ["tmpfs", "mode=01777"]),
    "devpts": peer(1, MOUNT_FS, NOSUID | NOEXEC,
                     ["devpts", "newinstance", "ptmxmode=0666", "mode=620"]),
    "proc": peer(1, MOUNT_FS, NOSUID | NODEV | NOEXEC, ["proc"]),
    "mqueue": peer(1, MOUNT_FS, 0, ["mqueue"]),
    # The largest valid request (every string at its limit), and one past
    # the 4112-byte maximum of any request, which mutation rarely reaches.
    "tmpfs-largest": peer(1, MOUNT_FS, NOSUID | NODEV,
                            ["tmpfs"] + ["context=" + "l" * 255] * 9),
    "too-long": peer(0, HOSTNAME, 0, ["h" * 4100]),
    "helper": helper(NEWUSER | NEWNS | NEWPID, 0, 0),
    "helper-all-dev": helper(NEWUSER | NEWNS | NEWPID | NEWNET | NEWUTS
                               | NEWIPC | NEWCGROUP, 1000, 100, SETUID_HELPER_DEV),
}

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "corpus-setuid-decoders")
os.makedirs(out, exist_ok=True)
for name, data in SEEDS.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
