/* SPDX-License-Identifier: LGPL-2.0-or-later
 * bubblewrap.c: main(), the table of contents of one run:
 * parse -> validate -> preflight -> spawn and wait.
 * Runs in the caller's process, which becomes the sandbox's monitor. */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "caps.h"
#include "options.h"
#include "plan.h"
#include "preflight.h"
#include "privsep.h"
#include "process.h"
#include "seccomp.h"
#include "selinux.h"
#include "utils.h"

#define ARGS_FD_MAX_BYTES (16u << 20)   /* --args data; 9000 words fit easily */

static int
read_args_fd (int fd, char **ret_data, size_t *ret_len, void *userdata)
{
  int r = read_fd_all (fd, ARGS_FD_MAX_BYTES, ret_data, ret_len);
  (void) close (fd);   /* read once, as bubblewrap; never reaches the sandbox */
  return r;
}

static void
apply_env_edits (const struct plan *plan)
{
  for (size_t i = 0; i < plan->n_env_edits; i++)
    {
      const struct env_edit *e = &plan->env_edits[i];
      switch (e->kind)
        {
        case ENV_EDIT_SET:
          if (setenv (e->name, e->value, 1) != 0)
            die ("setenv failed");
          break;
        case ENV_EDIT_UNSET:
          if (unsetenv (e->name) != 0)
            die ("unsetenv failed");
          break;
        case ENV_EDIT_CLEAR:
          if (clearenv () != 0)
            die ("clearenv failed");
          break;
        default:
          die ("internal error: unknown environment edit");
        }
    }
}

/* The caller's logical cwd ($PWD) when it names the same directory as the
 * physical one, else the physical one. */
static char *
caller_cwd (void)
{
  char *physical = getcwd (NULL, 0);
  const char *pwd = getenv ("PWD");
  struct stat a, b;

  if (physical != NULL && pwd != NULL && pwd[0] == '/' && stat (pwd, &a) == 0
      && stat (physical, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
    {
      free (physical);
      return xstrdup (pwd);
    }
  return physical;
}

static void
print_warnings (const struct plan *plan)
{
  for (size_t i = 0; i < plan->n_warnings; i++)
    {
      log_set_level_prefix (plan->level_prefix && i >= plan->n_warnings_unprefixed);
      warn_msg ("%s", plan->warnings[i]);
    }
  log_set_level_prefix (plan->level_prefix);
}

int
main (int argc, char **argv)
{
  struct plan plan;
  struct runtime rt = { .plan = &plan };
  struct bwrap_error err = { 0 };
  struct options_context ctx = { .read_fd = read_args_fd };
  int r;

  /* A lone --version is answered before anything else, as bubblewrap. */
  if (argc == 2 && strcmp (argv[1], "--version") == 0)
    {
      printf ("%s\n", BWRAP_VERSION_STRING);
      return 0;
    }
  /* Callers that ignore SIGCHLD would make waitpid() fail for us. */
  (void) signal (SIGCHLD, SIG_DFL);

  rt.real_uid = getuid ();
  rt.real_gid = getgid ();
  rt.is_setuid = geteuid () != rt.real_uid;
  if (rt.is_setuid && geteuid () != 0)
    die ("Unexpected setuid user %d, should be 0", (int) geteuid ());
  /* Setuid root: split off the privileged helper and drop every privilege
   * of this process before argv or any user path is looked at. */
  if (rt.is_setuid)
    privsep_start (&rt.privsep);
  else
    rt.privsep.sock = -1;
  rt.is_root = rt.real_uid == 0 && !rt.is_setuid;
  /* Nothing bwrap starts may gain privileges through exec, ever. */
  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    die_with_error ("prctl(PR_SET_NO_NEW_PRIVS) failed");
  caps_snapshot (&rt.caps, rt.is_root);

  ctx.is_setuid = rt.is_setuid;
  ctx.has_selinux = selinux_labels_supported ();
  ctx.real_uid = rt.real_uid;
  ctx.real_gid = rt.real_gid;
  plan_init (&plan);
  r = options_parse (argc, argv, &ctx, &plan, &err);
  log_set_level_prefix (plan.level_prefix);
  print_warnings (&plan);
  if (r < 0)
    die_error (&err);
  /* The early returns free the plan: once main's frame is gone,
   * LeakSanitizer would report whatever the parser allocated. */
  if (r == OPTIONS_HELP)
    {
      options_print_usage (stdout, argv[0]);
      plan_free (&plan);
      return 0;
    }
  if (r == OPTIONS_VERSION)
    {
      printf ("%s\n", BWRAP_VERSION_STRING);
      plan_free (&plan);
      return 0;
    }
  r = options_validate (&plan, &ctx, &err);
  if (r < 0)
    die_error (&err);
  if (r == OPTIONS_USAGE)
    {
      options_print_usage (stderr, argv[0]);
      plan_free (&plan);
      return 1;
    }

  selinux_check_label (plan.exec_label);
  selinux_check_label (plan.file_label);
  apply_env_edits (&plan);
  if (preflight_plan (&plan, &err) < 0)
    die_error (&err);
  seccomp_load_all (&plan, &rt.seccomp);
  rt.cwd = caller_cwd ();
  (void) fflush (stdout);   /* nothing buffered may be written twice after fork */
  r = process_run (&rt);
  /* Only the monitor returns here; freeing keeps leak checkers exact. */
  seccomp_set_free (&rt.seccomp);
  free (rt.cwd);
  plan_free (&plan);
  return r;
}
