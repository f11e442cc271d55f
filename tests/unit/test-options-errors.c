/* SPDX-License-Identifier: LGPL-2.0-or-later
 * test-options-errors.c: every misuse of an option gives bubblewrap's
 * exact message (scripts grep it): arity, unknown words, numbers, repeats,
 * modifiers, overlays and the options refused in setuid mode (which
 * allows the rest).  One table row per misuse.  Uses options-fixture.h.
 * No privileges. */
#include <check.h>
#include <errno.h>
#include <stdbool.h>

#include "options-fixture.h"
#include "unit-main.h"

/* ---- Every misuse gives bubblewrap's exact message ---------------------- */

struct error_case
{
  const char *args[12];
  const char *message;
  bool setuid;
};

#define TAKES_AN(opt) { { opt }, opt " takes an argument" }
#define TAKES_ONE(opt) { { opt }, opt " takes one argument" }
#define TAKES_TWO(opt) { { opt, "a" }, opt " takes two arguments" }
#define PLACEMENT "--overlay-src must be followed by another --overlay-src or one of " \
                  "--overlay, --tmp-overlay, or --ro-overlay"
#define PERMS_MISPLACED "--perms must be followed by an option that creates a file"
#define SIZE_MISPLACED "--size must be followed by --tmpfs or --tmp-overlay"
#define SIZE_BAD "--size takes a non-zero number of bytes"
#define PERMS_BAD "--perms takes an octal argument <= 07777"
#define CHMOD_BAD "--chmod takes an octal argument <= 07777"
#define NO_SETUID(opt) "The " opt " option is not permitted in setuid mode"
#define TAKES_NONE(opt) { { opt }, opt " takes two arguments" }
#define BAD_FD(opt, value) { { opt, value, "true" }, "Invalid fd: " value }
#define BAD_FD2(opt, value) { { opt, value, "/dest", "true" }, "Invalid fd: " value }
#define BAD_ID(kind, value) \
  { { "--" kind, value, "--unshare-user", "true" }, "Invalid " kind ": " value }

static const struct error_case error_cases[] = {
  /* Arity. */
  TAKES_AN ("--args"), TAKES_AN ("--proc"), TAKES_AN ("--dev"), TAKES_AN ("--tmpfs"),
  TAKES_AN ("--mqueue"), TAKES_AN ("--dir"), TAKES_AN ("--lock-file"), TAKES_AN ("--sync-fd"),
  TAKES_AN ("--block-fd"), TAKES_AN ("--userns-block-fd"), TAKES_AN ("--info-fd"),
  TAKES_AN ("--json-status-fd"), TAKES_AN ("--seccomp"), TAKES_AN ("--add-seccomp-fd"),
  TAKES_AN ("--userns"), TAKES_AN ("--userns2"), TAKES_AN ("--pidns"), TAKES_AN ("--unsetenv"),
  TAKES_AN ("--uid"), TAKES_AN ("--gid"), TAKES_AN ("--hostname"), TAKES_AN ("--cap-add"),
  TAKES_AN ("--cap-drop"), TAKES_AN ("--perms"), TAKES_AN ("--size"), TAKES_AN ("--exec-label"),
  TAKES_AN ("--file-label"), TAKES_AN ("--tmp-overlay"), TAKES_AN ("--ro-overlay"),
  TAKES_ONE ("--argv0"), TAKES_ONE ("--chdir"), TAKES_ONE ("--remount-ro"),
  TAKES_TWO ("--bind"), TAKES_TWO ("--bind-try"), TAKES_TWO ("--ro-bind"),
  TAKES_TWO ("--ro-bind-try"), TAKES_TWO ("--dev-bind"), TAKES_TWO ("--dev-bind-try"),
  TAKES_TWO ("--file"), TAKES_TWO ("--bind-data"), TAKES_TWO ("--ro-bind-data"),
  TAKES_TWO ("--symlink"), TAKES_TWO ("--setenv"), TAKES_TWO ("--chmod"),
  { { "--bind" }, "--bind takes two arguments" },
  { { "--bind-fd", "3" }, "--bind-fd takes two arguments" },
  { { "--ro-bind-fd", "3" }, "--bind-fd takes two arguments" },
  { { "--ro-bind-fd" }, "--bind-fd takes two arguments" },
  { { "--overlay", "a", "b" }, "--overlay takes three arguments" },
  { { "--overlay" }, "--overlay takes three arguments" },
  { { "--overlay-src" }, PLACEMENT },
  /* Unknown words. */
  { { "--foo" }, "Unknown option --foo" },
  { { "-" }, "Unknown option -" },
  { { "-x", "cmd" }, "Unknown option -x" },
  { { "--bind=a", "b" }, "Unknown option --bind=a" },
  { { "--BIND", "a", "b" }, "Unknown option --BIND" },
  { { "--unshare" }, "Unknown option --unshare" },
  { { "--unshare-pid", "--unknown", "cmd" }, "Unknown option --unknown" },
  /* Numbers. */
  { { "--args", "x" }, "Invalid fd: x" },
  { { "--sync-fd", "" }, "Invalid fd: " },
  { { "--block-fd", "-1" }, "Invalid fd: -1" },
  { { "--userns-block-fd", "3x" }, "Invalid fd: 3x" },
  { { "--info-fd", "x3" }, "Invalid fd: x3" },
  { { "--json-status-fd", "3 " }, "Invalid fd: 3 " },
  { { "--seccomp", "0x3" }, "Invalid fd: 0x3" },
  { { "--add-seccomp-fd", "-3" }, "Invalid fd: -3" },
  { { "--userns", "9999999999" }, "Invalid fd: 9999999999" },
  { { "--userns2", "1.0" }, "Invalid fd: 1.0" },
  { { "--pidns", " " }, "Invalid fd:  " },
  { { "--bind-fd", "x", "/d" }, "Invalid fd: x" },
  { { "--ro-bind-fd", "", "/d" }, "Invalid fd: " },
  { { "--file", "-1", "/d" }, "Invalid fd: -1" },
  { { "--bind-data", "a", "/d" }, "Invalid fd: a" },
  { { "--ro-bind-data", "3a", "/d" }, "Invalid fd: 3a" },
  { { "--uid", "x" }, "Invalid uid: x" },
  { { "--uid", "-1" }, "Invalid uid: -1" },
  { { "--uid", "4294967295" }, "Invalid uid: 4294967295" },
  /* Negative in bubblewrap's C int: refused there too. */
  { { "--uid", "2147483648" }, "Invalid uid: 2147483648" },
  { { "--uid", "4294967294" }, "Invalid uid: 4294967294" },
  { { "--gid", "2147483648" }, "Invalid gid: 2147483648" },
  { { "--gid", "4294967294" }, "Invalid gid: 4294967294" },
  /* bubblewrap wraps these to a valid id (0, 1000, 1); we refuse them. */
  { { "--uid", "4294967296" }, "Invalid uid: 4294967296" },
  { { "--gid", "4294968296" }, "Invalid gid: 4294968296" },
  { { "--uid", "-4294967295" }, "Invalid uid: -4294967295" },
  { { "--info-fd", "4294967296" }, "Invalid fd: 4294967296" },
  { { "--args", "4294967299" }, "Invalid fd: 4294967299" },
  { { "--bind-fd", "-4294967293", "/d" }, "Invalid fd: -4294967293" },
  { { "--uid", "99999999999" }, "Invalid uid: 99999999999" },
  { { "--gid", "" }, "Invalid gid: " },
  { { "--gid", "1e3" }, "Invalid gid: 1e3" },
  { { "--perms", "8", "--dir", "d" }, PERMS_BAD },
  { { "--perms", "010000", "--dir", "d" }, PERMS_BAD },
  { { "--perms", "", "--dir", "d" }, PERMS_BAD },
  { { "--perms", "0755x", "--dir", "d" }, PERMS_BAD },
  { { "--perms", "-1", "--dir", "d" }, PERMS_BAD },
  { { "--chmod", "0800", "p" }, CHMOD_BAD },
  { { "--chmod", "", "p" }, CHMOD_BAD },
  { { "--chmod", "-1", "p" }, CHMOD_BAD },
  { { "--size", "0", "--tmpfs", "t" }, SIZE_BAD },
  { { "--size", "", "--tmpfs", "t" }, SIZE_BAD },
  { { "--size", "x", "--tmpfs", "t" }, SIZE_BAD },
  { { "--size", " 1", "--tmpfs", "t" }, SIZE_BAD },
  { { "--size", "+1", "--tmpfs", "t" }, SIZE_BAD },
  { { "--size", "-1", "--tmpfs", "t" }, SIZE_BAD },
  { { "--size", "1k", "--tmpfs", "t" }, SIZE_BAD },
  { { "--size", "0x", "--tmpfs", "t" }, SIZE_BAD },
  { { "--size", "08", "--tmpfs", "t" }, SIZE_BAD },
  { { "--size", "0x0", "--tmpfs", "t" }, SIZE_BAD },
  { { "--size", "99999999999999999999999", "--tmpfs", "t" }, SIZE_BAD },
  { { "--size", "9223372036854775808", "--tmpfs", "t" },
    "--size (for tmpfs) is limited to 9223372036854775807" },
  { { "--size", "0xffffffffffffffff", "--tmpfs", "t" },
    "--size (for tmpfs) is limited to 9223372036854775807" },
  /* Repeats and modifiers. */
  { { "--argv0", "a", "--argv0", "b" }, "--argv0 used multiple times" },
  { { "--argv0", "a", "--argv0" }, "--argv0 takes one argument" },
  { { "--perms", "0700", "--perms", "0700", "--dir", "d" }, "--perms given twice for the same action" },
  { { "--perms", "0700", "--size", "1", "--perms", "0700", "--tmpfs", "t" },
    "--perms given twice for the same action" },
  { { "--size", "1", "--size", "1", "--tmpfs", "t" }, "--size given twice for the same action" },
  { { "--perms", "0700", "--bind", "a", "b" }, PERMS_MISPLACED },
  { { "--perms", "0700", "--chmod", "0700", "b" }, PERMS_MISPLACED },
  { { "--perms", "0700", "--symlink", "a", "b" }, PERMS_MISPLACED },
  { { "--perms", "0700", "--setenv", "a", "b" }, PERMS_MISPLACED },
  { { "--perms", "0700", "--unshare-pid" }, PERMS_MISPLACED },
  { { "--perms", "0700", "--proc", "p" }, PERMS_MISPLACED },
  { { "--perms", "0700", "--hostname", "h" }, PERMS_MISPLACED },
  { { "--perms", "0700", "--overlay-src", "a", "--tmp-overlay", "x" }, PERMS_MISPLACED },
  /* bubblewrap checks for pending layers after modifiers too. */
  { { "--overlay-src", "a", "--perms", "0700", "--tmp-overlay", "x" }, PLACEMENT },
  { { "--overlay-src", "a", "--perms", "0700", "--perms", "0700" }, PLACEMENT },
  { { "--overlay-src", "a", "--perms", "0800" }, PERMS_BAD },
  { { "--perms", "0700", "--size", "1", "--bind", "a", "b" }, PERMS_MISPLACED },
  { { "--perms", "0700", "--size", "1", "--dir", "d" }, SIZE_MISPLACED },
  { { "--size", "1", "--dir", "d" }, SIZE_MISPLACED },
  { { "--size", "1", "--file", "3", "f" }, SIZE_MISPLACED },
  { { "--size", "1", "--overlay-src", "a", "--tmp-overlay", "x" }, SIZE_MISPLACED },
  /* Layers, --size, then anything but --tmp-overlay (our extension):
   * bubblewrap's error at --size stands, before the next word's own. */
  { { "--overlay-src", "a", "--size", "1", "--overlay-src", "b", "--tmp-overlay", "x" }, PLACEMENT },
  /* Issue 27: the layers were taken, the --size was not: it is blamed. */
  { { "--overlay-src", "a", "--overlay-src", "b", "--size", "1", "--ro-overlay", "x" },
    SIZE_MISPLACED ", not --ro-overlay" },
  { { "--overlay-src", "a", "--size", "1", "--overlay", "r", "w", "x" }, SIZE_MISPLACED ", not --overlay" },
  { { "--overlay-src", "a", "--size", "1", "--foo" }, PLACEMENT },
  { { "--overlay-src", "a", "--size", "1", "--bind", "x" }, PLACEMENT },
  { { "--overlay-src", "a", "--size", "1", "--perms", "0700", "--tmp-overlay", "x" }, PLACEMENT },
  { { "--overlay-src", "a", "--size", "1", "cmd" }, PLACEMENT },
  { { "--overlay-src", "a", "--size", "0" }, SIZE_BAD },
  /* Overlays. */
  { { "--overlay-src", "a", "--dir", "d" }, PLACEMENT },
  { { "--overlay-src", "a", "--unshare-pid" }, PLACEMENT },
  { { "--overlay-src", "a", "cmd" }, PLACEMENT },
  { { "--overlay-src", "a", "--", "cmd" }, PLACEMENT },
  { { "--overlay-src", "a" }, PLACEMENT },
  { { "--overlay-src", "a", "--overlay-src" }, PLACEMENT },
  { { "--overlay", "r", "w", "d" }, "--overlay requires at least one --overlay-src" },
  { { "--tmp-overlay", "d" }, "--tmp-overlay requires at least one --overlay-src" },
  { { "--ro-overlay", "d" }, "--ro-overlay requires at least two --overlay-src" },
  { { "--overlay-src", "a", "--ro-overlay", "d" }, "--ro-overlay requires at least two --overlay-src" },
  { { "--overlay-src", "a", "--tmp-overlay", "d", "--tmp-overlay", "e" },
    "--tmp-overlay requires at least one --overlay-src" },
  /* Seccomp mixing (8), environment (5.2), caps (4), labels (2.13). */
  { { "--seccomp", "3", "--add-seccomp-fd", "4" }, "--add-seccomp-fd cannot be combined with --seccomp" },
  { { "--add-seccomp-fd", "4", "--seccomp", "3" }, "--seccomp cannot be combined with --add-seccomp-fd" },
  { { "--setenv", "", "v" }, "setenv failed" },
  { { "--setenv", "A=B", "v" }, "setenv failed" },
  { { "--unsetenv", "" }, "unsetenv failed" },
  { { "--unsetenv", "A=B" }, "unsetenv failed" },
  { { "--cap-add", "net_raw" }, "unknown cap: net_raw" },
  { { "--cap-drop", "CAP_NOPE" }, "unknown cap: CAP_NOPE" },
  { { "--cap-add", "" }, "unknown cap: " },
  { { "--cap-add", "64" }, "unknown cap: 64" },
  { { "--exec-label", "x" }, "labeling not supported on this system" },
  { { "--file-label", "x" }, "labeling not supported on this system" },
  /* Setuid refusals (9): before the arity check. */
  { { "--size", "1", "--tmpfs", "t" }, NO_SETUID ("--size"), true },
  { { "--size" }, NO_SETUID ("--size"), true },
  { { "--overlay-src", "a", "--tmp-overlay", "d" }, NO_SETUID ("--overlay-src"), true },
  { { "--overlay", "a", "b", "c" }, NO_SETUID ("--overlay"), true },
  { { "--overlay" }, NO_SETUID ("--overlay"), true },
  { { "--tmp-overlay", "d" }, NO_SETUID ("--tmp-overlay"), true },
  { { "--ro-overlay", "d" }, NO_SETUID ("--ro-overlay"), true },
  /* The parse-only cases the integration scripts ran through the binary
   * (test-bad-input.sh, test-basic.sh, test-clients.sh, test-fs.sh,
   * test-namespaces.sh, test-process.sh, test-seccomp.sh, test-status.sh,
   * test-binds.sh, test-overlay.sh), as they wrote them; the scripts keep
   * a sample that goes through the real binary. */
  TAKES_NONE ("--bind"), TAKES_NONE ("--bind-try"), TAKES_NONE ("--ro-bind"),
  TAKES_NONE ("--ro-bind-try"), TAKES_NONE ("--dev-bind"), TAKES_NONE ("--dev-bind-try"),
  TAKES_NONE ("--file"), TAKES_NONE ("--bind-data"), TAKES_NONE ("--ro-bind-data"),
  TAKES_NONE ("--symlink"), TAKES_NONE ("--setenv"), TAKES_NONE ("--chmod"),
  { { "--bind-fd" }, "--bind-fd takes two arguments" },
  { { "--ro-bind-fd", "9" }, "--bind-fd takes two arguments" },
  { { "--dev-bind-try", "/" }, "--dev-bind-try takes two arguments" },
  { { "--symlink", "a" }, "--symlink takes two arguments" },
  { { "--chmod", "0755" }, "--chmod takes two arguments" },
  { { "--file", "0" }, "--file takes two arguments" },
  { { "--ro-bind-fd", "0" }, "--bind-fd takes two arguments" },
  { { "--overlay-src", "l", "--overlay" }, "--overlay takes three arguments" },
  { { "--overlay-src", "/", "--overlay", "a", "b" }, "--overlay takes three arguments" },
  { { "--overlay-src", "l", "--tmp-overlay" }, "--tmp-overlay takes an argument" },
  { { "--foo", "true" }, "Unknown option --foo" },
  { { "-", "true" }, "Unknown option -" },
  { { "-b", "true" }, "Unknown option -b" },
  { { "-h", "--ro-bind", "/", "/", "true" }, "Unknown option -h" },
  { { "--bind=a:b", "true" }, "Unknown option --bind=a:b" },
  { { "--chdir=/", "--ro-bind", "/", "/", "true" }, "Unknown option --chdir=/" },
  { { "--Bind", "--ro-bind", "/", "/", "true" }, "Unknown option --Bind" },
  { { "--bin", "--ro-bind", "/", "/", "true" }, "Unknown option --bin" },
  { { "--unshare-al", "true" }, "Unknown option --unshare-al" },
  { { "---", "true" }, "Unknown option ---" },
  { { "--help=1", "true" }, "Unknown option --help=1" },
  { { "--\x01", "true" }, "Unknown option --\x01" },
  { { "--no-such-option", "--version" }, "Unknown option --no-such-option" },
  BAD_FD ("--args", "x"), BAD_FD ("--userns", "x"), BAD_FD ("--userns2", "x"),
  BAD_FD ("--pidns", "x"), BAD_FD ("--sync-fd", "x"), BAD_FD ("--block-fd", "x"),
  BAD_FD ("--userns-block-fd", "x"), BAD_FD ("--info-fd", "x"), BAD_FD ("--json-status-fd", "x"),
  BAD_FD ("--seccomp", "x"), BAD_FD ("--add-seccomp-fd", "x"),
  BAD_FD ("--args", "abc"), BAD_FD ("--args", "-1"),
  BAD_FD ("--info-fd", "-1"), BAD_FD ("--info-fd", ""), BAD_FD ("--info-fd", " "),
  BAD_FD ("--info-fd", "99999999999999999999"), BAD_FD ("--info-fd", "2147483648"),
  BAD_FD ("--info-fd", "0x3"), BAD_FD ("--info-fd", "1.5"),
  BAD_FD ("--info-fd", "4294967296"), BAD_FD ("--info-fd", "4294967299"),
  BAD_FD ("--info-fd", "-4294967293"),
  BAD_FD ("--info-fd", "abc"), BAD_FD ("--json-status-fd", "abc"), BAD_FD ("--block-fd", "abc"),
  BAD_FD ("--userns-block-fd", "abc"), BAD_FD ("--json-status-fd", "-1"),
  BAD_FD ("--block-fd", "-1"), BAD_FD ("--userns-block-fd", "-1"), BAD_FD ("--json-status-fd", ""),
  BAD_FD ("--block-fd", ""), BAD_FD ("--userns-block-fd", ""),
  BAD_FD ("--userns", "abc"), BAD_FD ("--userns", ""), BAD_FD ("--userns", "-3"), BAD_FD ("--userns", "3x"),
  BAD_FD ("--userns2", "abc"), BAD_FD ("--userns2", ""), BAD_FD ("--userns2", "-3"), BAD_FD ("--userns2", "3x"),
  BAD_FD ("--pidns", "abc"), BAD_FD ("--pidns", ""), BAD_FD ("--pidns", "-3"), BAD_FD ("--pidns", "3x"),
  BAD_FD ("--seccomp", "-1"), BAD_FD ("--seccomp", "five"),
  BAD_FD ("--add-seccomp-fd", "-1"), BAD_FD ("--add-seccomp-fd", "five"),
  BAD_FD2 ("--bind-fd", "3x"), BAD_FD2 ("--ro-bind-fd", "3x"), BAD_FD2 ("--file", "3x"),
  BAD_FD2 ("--bind-data", "3x"), BAD_FD2 ("--ro-bind-data", "3x"), BAD_FD2 ("--bind-fd", "x"),
  BAD_FD2 ("--bind-data", "4294967296"), BAD_FD2 ("--bind-data", "4294967299"),
  BAD_FD2 ("--bind-data", "-4294967293"),
  BAD_ID ("uid", "abc"), BAD_ID ("uid", "-1"), BAD_ID ("uid", ""), BAD_ID ("uid", "1x"),
  BAD_ID ("uid", "0x10"), BAD_ID ("uid", " 5x"), BAD_ID ("gid", "7q"), BAD_ID ("gid", ""),
  BAD_ID ("uid", "2147483648"), BAD_ID ("gid", "2147483648"),
  BAD_ID ("uid", "4294967294"), BAD_ID ("gid", "4294967294"),
  BAD_ID ("uid", "4294967295"), BAD_ID ("gid", "4294967295"),
  BAD_ID ("uid", "4294967296"), BAD_ID ("gid", "4294967296"),
  BAD_ID ("uid", "4294968296"), BAD_ID ("gid", "4294968296"),
  BAD_ID ("uid", "-4294967295"), BAD_ID ("gid", "-4294967295"),
  { { "--perms", "0o755", "--dir", "/x", "true" }, PERMS_BAD },
  { { "--perms", "777x", "--dir", "/x", "true" }, PERMS_BAD },
  { { "--perms", "-1", "--dir", "/x", "true" }, PERMS_BAD },
  { { "--chmod", "9", "/usr", "true" }, CHMOD_BAD },
  { { "--chmod", "77777", "/usr", "true" }, CHMOD_BAD },
  { { "--chmod", "8", "/x", "true" }, CHMOD_BAD },
  { { "--size", "abc", "--tmpfs", "/x", "true" }, SIZE_BAD },
  { { "--size", "12k", "--tmpfs", "/x", "true" }, SIZE_BAD },
  { { "--size", "0x8000000000000000", "--tmpfs", "/x", "true" },
    "--size (for tmpfs) is limited to 9223372036854775807" },
  { { "--perms", "0755", "--perms", "0700", "--dir", "/x", "true" },
    "--perms given twice for the same action" },
  { { "--size", "4096", "--size", "4096", "--tmpfs", "/x", "true" },
    "--size given twice for the same action" },
  { { "--perms", "0755", "--bind", "/w/d", "/x", "true" }, PERMS_MISPLACED },
  { { "--perms", "0755", "--symlink", "a", "/x", "true" }, PERMS_MISPLACED },
  { { "--size", "4096", "--dir", "/x", "true" }, SIZE_MISPLACED },
  { { "--argv0", "a", "--argv0", "b", "true" }, "--argv0 used multiple times" },
  { { "--setenv", "", "x", "true" }, "setenv failed" },
  { { "--setenv", "A=B", "x", "true" }, "setenv failed" },
  { { "--unsetenv", "", "true" }, "unsetenv failed" },
  { { "--unsetenv", "A=B", "true" }, "unsetenv failed" },
  { { "--cap-add", "CAP_NOPE", "true" }, "unknown cap: CAP_NOPE" },
  { { "--cap-drop", "NET_RAW", "true" }, "unknown cap: NET_RAW" },
  { { "--cap-add", "CAP_NO_SUCH", "true" }, "unknown cap: CAP_NO_SUCH" },
  { { "--cap-add", "NET_RAW", "true" }, "unknown cap: NET_RAW" },
  { { "--add-seccomp-fd", "9", "--seccomp", "9", "true" },
    "--seccomp cannot be combined with --add-seccomp-fd" },
  { { "--seccomp", "9", "--add-seccomp-fd", "9", "true" },
    "--add-seccomp-fd cannot be combined with --seccomp" },
  { { "--overlay", "/w/upper", "/w/work", "/o", "true" }, "--overlay requires at least one --overlay-src" },
  { { "--tmp-overlay", "/o", "true" }, "--tmp-overlay requires at least one --overlay-src" },
  { { "--overlay-src", "l", "--ro-overlay", "/o", "true" }, "--ro-overlay requires at least two --overlay-src" },
  { { "--overlay-src", "l", "--tmp-overlay", "/a", "--tmp-overlay", "/b", "true" },
    "--tmp-overlay requires at least one --overlay-src" },
  { { "--overlay-src", "l", "--bind", "/w/d", "/o", "true" }, PLACEMENT },
  { { "--overlay-src", "l", "true" }, PLACEMENT },
  { { "--overlay-src", "l", "--", "true" }, PLACEMENT },
  { { "--overlay-src", "l", "--tmp-overlay", "/o", "--overlay-src", "l", "true" }, PLACEMENT },
  { { "--overlay-src", "l", "--file", "9", "/o", "--tmp-overlay", "/o", "true" }, PLACEMENT },
  { { "--overlay-src", "l", "--args", "9", "--tmp-overlay", "/o", "true" }, PLACEMENT },
  { { "--perms", "0700", "--overlay-src", "l", "--tmp-overlay", "/o", "true" }, PERMS_MISPLACED },
  { { "--overlay-src", "l", "--perms", "0700", "--tmp-overlay", "/o", "true" }, PLACEMENT },
  { { "--overlay-src", "l", "--size", "4096", "--overlay", "/w/upper", "/w/work", "/o", "true" },
    SIZE_MISPLACED ", not --overlay" },
  { { "--overlay-src", "l", "--size", "4096", "--foo", "/o", "true" }, PLACEMENT },
  { { "--size", "4096", "--overlay-src", "l", "--tmp-overlay", "/m", "true" }, SIZE_MISPLACED },
  { { "--size", "0", "--tmpfs", "/x", "--foo", "true" }, NO_SETUID ("--size"), true },
  { { "--foo", "--size", "4096", "--tmpfs", "/x", "true" }, "Unknown option --foo", true },
  { { "--dir", "/d", "--overlay-src", "l", "--tmp-overlay", "/o", "true" }, NO_SETUID ("--overlay-src"), true },
  { { "--dir", "/d", "--overlay", "u", "w", "/o", "true" }, NO_SETUID ("--overlay"), true },
  { { "--dir", "/d", "--size", "4096", "--tmpfs", "/o", "true" }, NO_SETUID ("--size"), true },
  { { "--size", "4096", "--tmp-overlay", "/m", "true" }, NO_SETUID ("--size"), true },
};

START_TEST (test_error_case)
{
  const struct error_case *c = &error_cases[_i];
  const char *argv[N_ELEMENTS (c->args) + 2] = { "bwrap" };

  for (size_t i = 0; i < N_ELEMENTS (c->args) && c->args[i] != NULL; i++)
    argv[i + 1] = c->args[i];
  ctx.is_setuid = c->setuid;
  FAKE (9, "");   /* --args 9 reads nothing, as from the scripts' /dev/null */
  parse_v (argv);
  ck_assert_msg (rc == -EINVAL, "%s: rc %d", c->args[0], rc);
  ck_assert_str_eq (err.message, c->message);
  ck_assert_int_eq (err.errnum, 0);
}
END_TEST

/* --add-seccomp-fd data is read while parsing, as bubblewrap's: its
 * error comes before those of later options and of the cross-option
 * rules. */
static int
fake_add_seccomp (int fd, void *userdata, struct bwrap_error *e)
{
  ck_assert_ptr_eq (userdata, &ctx);
  if (fd == 9)
    return bwrap_error_set (e, 0, "Invalid seccomp data, must be multiple of 8");
  return 0;
}

START_TEST (test_add_seccomp_read_while_parsing)
{
  ctx.add_seccomp = fake_add_seccomp;
  ctx.seccomp_userdata = &ctx;
  FAILS ("Invalid seccomp data, must be multiple of 8", "--add-seccomp-fd", "9", "--bind");
  teardown ();
  setup ();
  ctx.add_seccomp = fake_add_seccomp;
  ctx.seccomp_userdata = &ctx;
  FAILS ("Invalid seccomp data, must be multiple of 8", "--add-seccomp-fd", "9",
         "--seccomp", "3", "cmd");
  teardown ();
  setup ();
  ctx.add_seccomp = fake_add_seccomp;
  ctx.seccomp_userdata = &ctx;
  OK ("--add-seccomp-fd", "8", "--add-seccomp-fd", "7", "cmd");
  ck_assert_uint_eq (plan.n_add_seccomp_fds, 2);
}
END_TEST

START_TEST (test_setuid_allows_the_rest)
{
  ctx.is_setuid = true;
  OK ("--perms", "0700", "--tmpfs", "t", "--userns", "3", "--userns2", "4", "--pidns", "5",
      "--cap-add", "CAP_NET_RAW", "cmd");
  ck_assert_int_eq (plan.userns_fd, 3);
  ck_assert_uint_eq (op_at (0, SETUP_OP_TMPFS)->flags, SETUP_OP_FLAG_HAS_PERMS);
}
END_TEST

static Suite *
options_suite (void)
{
  Suite *s = suite_create ("options");
  TCase *tc = tcase_create ("errors");

  tcase_add_checked_fixture (tc, setup, teardown);
  tcase_set_timeout (tc, 60);
  tcase_add_loop_test (tc, test_error_case, 0, N_ELEMENTS (error_cases));
  tcase_add_test (tc, test_setuid_allows_the_rest);
  tcase_add_test (tc, test_add_seccomp_read_while_parsing);
  suite_add_tcase (s, tc);
  return s;
}

int
main (void)
{
  return unit_run_suite (options_suite ());
}
