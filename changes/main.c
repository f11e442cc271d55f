/* SPDX-License-Identifier: LGPL-2.0-or-later
 * changes/main.c: main() of bwrap-changes, the second program of this
 * project: review, diff, apply and remove what a sandbox wrote through
 * `bwrap --overlay`.  It runs as an ordinary program with the caller's
 * rights (root's when root runs it), in one process, creating no
 * namespace; it never runs setuid, and it is built from the same library
 * as bwrap (utils.c, resolve-walk.c, kernel-api.c). */
#include <stdio.h>

#include "config.h"
#include "commands.h"

int
main (int argc, char **argv)
{
  struct bwrap_error err = { 0 };
  struct changes_args a;
  int status = 0;

  log_set_program_name ("bwrap-changes");
  if (changes_args_parse (argc, argv, &a, &err) < 0)
    {
      changes_args_free (&a);
      return changes_fail (&err, a.exit_code ? 2 : 1);
    }
  switch (a.command)
    {
    case COMMAND_HELP:
      fputs (changes_usage, stdout);
      break;
    case COMMAND_VERSION:
      printf ("bwrap-changes %s\n", PACKAGE_VERSION);
      break;
    case COMMAND_STATUS:
      status = changes_status (&a);
      break;
    case COMMAND_DIFF:
      status = changes_diff (&a);
      break;
    case COMMAND_APPLY:
      status = changes_apply (&a);
      break;
    case COMMAND_CLEAN:
      status = changes_clean (&a);
      break;
    default:
      break;
    }
  changes_args_free (&a);
  if (fflush (stdout) != 0 && status == 0)
    {
      warn_msg ("writing the output: %m");
      status = 1;
    }
  return status;
}
