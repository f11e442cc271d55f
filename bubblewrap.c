/* SPDX-License-Identifier: LGPL-2.0-or-later
 * bubblewrap.c: main(), the table of contents of one run:
 * parse -> validate -> preflight -> spawn and wait.
 * Runs in the caller's process, which becomes the sandbox's monitor. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "caps.h"
#include "config.h"
#include "options.h"
#include "plan.h"
#include "preflight.h"
#include "process.h"
#include "seccomp.h"
#include "selinux.h"
#include "utils.h"

#define ARGS_FD_MAX_BYTES (16u << 20)   /* --args data; 9000 words fit easily */

#if SUPPORT_SETUID
#include "handoff.h"
#include "setuid-helper.h"

/* The --args data read, in order: setuid mode hands it to the sandbox
 * process, which parses the command line again (setuid-helper.h).  Kept only
 * in setuid mode (userdata NULL otherwise). */
struct args_log
{
  char **data;
  size_t *len;
  size_t n;
};

static void
args_log_append (struct args_log *log, const char *data, size_t len)
{
  size_t n = log->n;

  log->data = xappend (log->data, &n, sizeof *log->data);
  log->len = xappend (log->len, &log->n, sizeof *log->len);
  log->data[n - 1] = xmalloc (len + 1);
  memcpy (log->data[n - 1], data, len + 1);
  log->len[n - 1] = len;
}

static void
args_log_free (struct args_log *log)
{
  for (size_t i = 0; i < log->n; i++)
    free (log->data[i]);
  free (log->data);
  free (log->len);
}

/* In the setuid sandbox process: the monitor's --args reads, replayed. */
static int
replay_args_fd (int fd, char **ret_data, size_t *ret_len, void *userdata)
{
  struct handoff *h = userdata;
  const char *data;
  size_t len;
  int r = handoff_next (h, HANDOFF_ARGS, &data, &len);

  /* Our copy of the fd (inherited through the helper): the monitor has
   * read it, and the command must not get it, as without setuid. */
  (void) close (fd);
  if (r < 0)
    return r == -ENOENT ? -EBADF : r;
  *ret_data = xmalloc (len + 1);
  memcpy (*ret_data, data, len);
  (*ret_data)[len] = '\0';
  *ret_len = len;
  return 0;
}

/* Setuid monitor: the hand-off for the sandbox process (handoff.h). */
static int
write_handoff (const struct args_log *log, const struct seccomp_set *seccomp)
{
  int fd = handoff_create ();
  int r = fd;

  for (size_t i = 0; r >= 0 && i < log->n; i++)
    r = handoff_append (fd, HANDOFF_ARGS, log->data[i], log->len[i]);
  for (size_t i = 0; r >= 0 && i < seccomp->n; i++)
    r = handoff_append (fd, HANDOFF_SECCOMP, seccomp->progs[i].filter,
                        seccomp->progs[i].len * sizeof (struct sock_filter));
  if (r >= 0)
    r = handoff_finish (fd);
  if (r < 0)
    {
      errno = -r;
      die_with_error ("Can't pass the command line on to the sandbox");
    }
  return fd;
}
#endif

/* userdata: setuid mode's struct args_log, else NULL. */
static int
read_args_fd (int fd, char **ret_data, size_t *ret_len, void *userdata)
{
  int r = read_fd_all (fd, ARGS_FD_MAX_BYTES, ret_data, ret_len);

  (void) close (fd);   /* read once, as bubblewrap; never reaches the sandbox */
#if SUPPORT_SETUID
  if (r == 0 && userdata != NULL)
    args_log_append (userdata, *ret_data, *ret_len);
#endif
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

/* Parse, validate and preflight argv into plan: everything the caller's
 * input decides, with no privilege.  Returns true when there is a
 * command to run; false after --help, --version or the usage text, with
 * main's exit status in *ret_status.  Dies on errors.
 * quiet: the setuid sandbox process, parsing again what the monitor has
 * parsed and reported on already. */
static bool
prepare (int argc, char **argv, struct runtime *rt, struct options_context *ctx, bool quiet,
         int *ret_status)
{
  struct plan *plan = rt->plan;
  struct bwrap_error err = { 0 };
  int r;

  ctx->is_setuid = rt->is_setuid;
  ctx->labels_supported = selinux_labels_supported;
  ctx->real_uid = rt->real_uid;
  ctx->real_gid = rt->real_gid;
  plan_init (plan);
  r = options_parse (argc, argv, ctx, plan, &err);
  log_set_level_prefix (plan->level_prefix);
  if (!quiet)
    print_warnings (plan);
  if (r < 0)
    die_error (&err);
  if (r == OPTIONS_HELP || r == OPTIONS_VERSION)
    {
      if (r == OPTIONS_HELP)
        options_print_usage (stdout, argv[0]);
      else
        printf ("%s\n", BWRAP_VERSION_STRING);
      *ret_status = 0;
      return false;
    }
  r = options_validate (plan, ctx, &err);
  if (r < 0)
    die_error (&err);
  if (r == OPTIONS_USAGE)
    {
      options_print_usage (stderr, argv[0]);
      *ret_status = 1;
      return false;
    }

  selinux_check_label (plan->exec_label);
  selinux_check_label (plan->file_label);
  apply_env_edits (plan);
  if (preflight_plan (plan, &err) < 0)
    die_error (&err);
  return true;
}

#if SUPPORT_SETUID
/* The command line, for the setuid sandbox process (a fork of the
 * helper forked before parsing, with argv but not the plan). */
static int saved_argc;
static char **saved_argv;

static void
setuid_sandbox_main (const struct setuid_helper_sandbox *sb)
{
  struct plan plan;
  struct runtime rt = { .plan = &plan, .is_setuid = true, .handoff_fd = -1 };
  struct handoff h;
  struct options_context ctx = { .read_fd = replay_args_fd, .userdata = &h };
  int status;

  rt.real_uid = getuid ();
  rt.real_gid = getgid ();
  rt.helper.sock = -1;
  caps_snapshot (&rt.caps, false);
  if (handoff_read (sb->handoff, &h) < 0)
    die ("Can't read the command line handed on by the monitor");
  (void) close (sb->handoff);
  /* The monitor parsed this command line first and would have failed. */
  if (!prepare (saved_argc, saved_argv, &rt, &ctx, true, &status))
    _exit (1);
  if (handoff_seccomp (&h, &rt.seccomp) < 0)
    die ("Can't read the seccomp programs handed on by the monitor");
  /* Read by the monitor (their programs came in the hand-off). */
  for (size_t i = 0; i < plan.n_add_seccomp_fds; i++)
    (void) close (plan.add_seccomp_fds[i]);
  handoff_free (&h);
  rt.cwd = caller_cwd ();
  (void) fflush (stdout);
  process_run_setuid_sandbox (&rt, sb);
}
#endif

int
main (int argc, char **argv)
{
  struct plan plan;
  struct runtime rt = { .plan = &plan, .handoff_fd = -1 };
#if SUPPORT_SETUID
  struct args_log args = { 0 };
#endif
  struct options_context ctx = {
    .read_fd = read_args_fd,
    .add_seccomp = seccomp_add_program,
    .seccomp_userdata = &rt.seccomp,
  };
  int r;

#if !SUPPORT_SETUID
  /* Before anything else, --version included, as bubblewrap 0.11.2 does:
   * this build has no privilege separation, so a binary an administrator
   * or packager made setuid or setgid by mistake must fail closed before
   * it reads a file, parses a word or creates anything.  Real and
   * effective ids differ exactly while such a binary runs for someone
   * else. */
  if (getuid () != geteuid () || getgid () != getegid ())
    die ("This build does not support setuid operation (it was built without "
         "-Dsupport_setuid=true), so it refuses to run setuid or setgid");
#endif
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
#if SUPPORT_SETUID
  rt.is_setuid = geteuid () != rt.real_uid;
  if (rt.is_setuid && geteuid () != 0)
    die ("Unexpected setuid user %d, should be 0", (int) geteuid ());
  /* Setuid root: split off the setuid helper and drop every privilege
   * of this process before argv or any user path is looked at. */
  rt.helper.sock = -1;
  saved_argc = argc;
  saved_argv = argv;
  if (rt.is_setuid)
    {
      setuid_helper_start (&rt.helper, setuid_sandbox_main);
      ctx.userdata = &args;
    }
#endif
  rt.is_root = rt.real_uid == 0 && !rt.is_setuid;
  /* Nothing bwrap starts may gain privileges through exec, ever. */
  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    die_with_error ("prctl(PR_SET_NO_NEW_PRIVS) failed");
  caps_snapshot (&rt.caps, rt.is_root);

  if (!prepare (argc, argv, &rt, &ctx, false, &r))
    {
      /* The early returns free the plan: once main's frame is gone,
       * LeakSanitizer would report whatever the parser allocated. */
      plan_free (&plan);
#if SUPPORT_SETUID
      args_log_free (&args);
#endif
      seccomp_set_free (&rt.seccomp);
      return r;
    }
#if SUPPORT_SETUID
  if (rt.is_setuid)
    rt.handoff_fd = write_handoff (&args, &rt.seccomp);
  args_log_free (&args);
#endif
  rt.cwd = caller_cwd ();
  (void) fflush (stdout);   /* nothing buffered may be written twice after fork */
  r = process_run (&rt);
  /* Only the monitor returns here; freeing keeps leak checkers exact. */
  seccomp_set_free (&rt.seccomp);
  free (rt.cwd);
  plan_free (&plan);
  return r;
}
