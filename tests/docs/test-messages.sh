#!/bin/bash
# SPDX-License-Identifier: LGPL-2.0-or-later
# Our own messages name paths as the user gave them, never bwrap's internal
# /newroot or /oldroot; only bubblewrap's own messages, kept verbatim
# (its mount and file errors name /newroot), contain those.  Scans the
# format string of every message-making call in the C sources.

. "$(dirname "$0")/lib.sh"

report=$(python3 - "$TOP_SRCDIR" <<'PY'
import glob, os, re, sys

top = sys.argv[1]
calls = re.compile(r'\b(bwrap_error_set|die|die_with_error|die_with_mount_error|warn_msg)\s*\(')
literal = re.compile(r'"((?:[^"\\]|\\.)*)"')
# bubblewrap's messages that name its internal paths.
allowed = re.compile(r"^(Can't bind mount /oldroot%s on /newroot/%s: "
                     r"|Can't remount readonly on /newroot/%s"
                     r"|Can't mount (%s|tmpfs|devpts) on /newroot/%s"
                     r"|%s on /newroot/%s%s: %s$)")
n = 0
for path in sorted(glob.glob(os.path.join(top, '*.c'))):
    text = open(path).read()
    text = re.sub(r'/\*.*?\*/', lambda m: re.sub(r'[^\n]', ' ', m.group(0)), text, flags=re.S)
    for m in calls.finditer(text):
        depth, i = 1, m.end()
        while depth and i < len(text):
            depth += {'(': 1, ')': -1}.get(text[i], 0)
            i += 1
        fmt = ''.join(literal.findall(text[m.end():i]))
        n += 1
        if ('/newroot' in fmt or '/oldroot' in fmt) and not allowed.match(fmt):
            line = text.count('\n', 0, m.start()) + 1
            print('%s:%d: %s' % (os.path.basename(path), line, fmt))
if n < 100:
    print('only %d message calls found: the scanner is broken' % n)
PY
)
if [ -z "$report" ]; then
  ok "no message of ours names /newroot or /oldroot"
else
  not_ok "no message of ours names /newroot or /oldroot"
  diag "$report"
fi
tap_done
