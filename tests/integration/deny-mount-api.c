/* SPDX-License-Identifier: LGPL-2.0-or-later
 * deny-mount-api [--errno=ENOSYS|EPERM] COMMAND [ARGS...]: run COMMAND
 * where open_tree, move_mount, fsopen, fsconfig, fsmount, fspick,
 * mount_setattr and openat2 fail (ENOSYS by default, as on kernels before
 * 5.2/5.6/5.12; EPERM, as some container seccomp profiles answer), so the
 * integration suite exercises bwrap's classic mount(2) / path-walk
 * fallbacks on a new kernel.  Sets BWRAP_TESTS_NO_MOUNT_API=1 for lib.sh.
 *
 * The filter is inherited by everything COMMAND starts.  Run as root
 * (CAP_SYS_ADMIN), it is loaded without no_new_privs, so a setuid-root
 * bwrap started later (after run-as-user.sh drops to the test user) still
 * gains its privileges under the filter: the setuid suite runs too.  As an
 * unprivileged user the kernel demands no_new_privs, which disables setuid
 * binaries, so setuid mode can only be tested from root. */
#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const denied[] = {
  "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick",
  "mount_setattr", "openat2",
};

int
main (int argc, char **argv)
{
  int errnum = ENOSYS;
  scmp_filter_ctx ctx;
  int first = 1;

  if (argc > 1 && strncmp (argv[1], "--errno=", 8) == 0)
    {
      if (strcmp (argv[1] + 8, "EPERM") == 0)
        errnum = EPERM;
      else if (strcmp (argv[1] + 8, "ENOSYS") != 0)
        {
          fprintf (stderr, "deny-mount-api: unknown errno %s\n", argv[1] + 8);
          return 2;
        }
      first = 2;
    }
  if (argc <= first)
    {
      fprintf (stderr, "usage: deny-mount-api [--errno=ENOSYS|EPERM] COMMAND [ARGS...]\n");
      return 2;
    }
  ctx = seccomp_init (SCMP_ACT_ALLOW);
  if (ctx == NULL)
    {
      fprintf (stderr, "deny-mount-api: seccomp_init failed\n");
      return 1;
    }
  for (size_t i = 0; i < sizeof denied / sizeof denied[0]; i++)
    {
      int nr = seccomp_syscall_resolve_name (denied[i]);
      int r;
      if (nr == __NR_SCMP_ERROR)
        {
          fprintf (stderr, "deny-mount-api: libseccomp does not know %s\n", denied[i]);
          return 1;
        }
      r = seccomp_rule_add (ctx, SCMP_ACT_ERRNO (errnum), nr, 0);
      if (r < 0)
        {
          fprintf (stderr, "deny-mount-api: seccomp_rule_add %s: %s\n", denied[i], strerror (-r));
          return 1;
        }
    }
  /* Root may load a filter without no_new_privs; keeping setuid
   * binaries working under it is what lets the setuid suite run. */
  if (geteuid () == 0 && seccomp_attr_set (ctx, SCMP_FLTATR_CTL_NNP, 0) < 0)
    {
      fprintf (stderr, "deny-mount-api: cannot clear the no_new_privs attribute\n");
      return 1;
    }
  if (seccomp_load (ctx) < 0)
    {
      fprintf (stderr, "deny-mount-api: seccomp_load failed\n");
      return 1;
    }
  seccomp_release (ctx);
  if (setenv ("BWRAP_TESTS_NO_MOUNT_API", "1", 1) != 0)
    return 1;
  execvp (argv[first], argv + first);
  fprintf (stderr, "deny-mount-api: %s: %s\n", argv[first], strerror (errno));
  return 127;
}
