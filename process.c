/* SPDX-License-Identifier: LGPL-2.0-or-later
 * process.c: clone into namespaces, the monitor, the pid-1 reaper and the
 * final exec.  Which process runs what:
 *   process_run / monitor_*    the caller's process (outside), drops all
 *                              capabilities right after the clone
 *   sandbox_main               the sandbox process: configures its user
 *                              namespace, builds the root, drops to the
 *                              command's capabilities
 *   reaper_main                pid 1 of the sandbox (no capabilities)
 *   exec_command               the command, right before exec
 * Sync points between bwrap's processes are numbered S1-S5 and marked on
 * both sides (HACKING.md lists them); S1 is in setuid-helper.c, S3 in
 * setuid-peer.c and setuid-client.c, S4's mechanism in spawn.c. */
#include "process.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "mount.h"
#include "namespaces.h"
#include "overlay-split-tidy.h"
#if SUPPORT_SETUID
#include "setuid-client.h"
#endif
#include "selinux.h"
#include "setup.h"
#include "spawn.h"
#include "status.h"
#include "utils.h"

/* Signals the monitor and the reaper pass on to the command. */
static const int forwarded_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

/* Bytes the command side writes on the exec-status pipe. */
#define EXEC_STARTED 'x'   /* setup done, about to exec */
#define EXEC_FAILED  'F'   /* exec failed */

struct sandbox_fds
{
  int exec_status;   /* write end, O_CLOEXEC: closes on successful exec */
  int release;       /* read end of the monitor's go (S2) */
  sigset_t saved_mask;
  int clone_flags;
  const struct mount_backend *mnt;   /* how the sandbox process mounts:
                                        locally, or (setuid mode) through
                                        the setuid peer; chosen once */
};

static void
block_signals (sigset_t *mask, sigset_t *ret_old)
{
  sigemptyset (mask);
  sigaddset (mask, SIGCHLD);
  for (size_t i = 0; i < N_ELEMENTS (forwarded_signals); i++)
    sigaddset (mask, forwarded_signals[i]);
  if (sigprocmask (SIG_BLOCK, mask, ret_old) != 0)
    die_with_error ("sigprocmask");
}

/* A terminal's own signals (SI_KERNEL) already reach the command through
 * its process group, unless --new-session took it out of that group. */
static bool
should_forward (const struct signalfd_siginfo *si, bool new_session)
{
  if (si->ssi_signo == SIGCHLD)
    return false;
  return new_session || si->ssi_code != SI_KERNEL;
}

static int
open_signalfd (const sigset_t *mask)
{
  int sfd = signalfd (-1, mask, SFD_CLOEXEC);
  if (sfd < 0)
    die_with_error ("signalfd");
  return sfd;
}

/* Next blocked signal from sfd (blocking read, EINTR retried). */
static void
read_signal (int sfd, struct signalfd_siginfo *si)
{
  ssize_t n;

  do
    n = read (sfd, si, sizeof *si);
  while (n < 0 && errno == EINTR);
  if (n != sizeof *si)
    die_with_error ("read signalfd");
}

static void
arm_parent_death_signal (const struct plan *plan)
{
  /* Armed in every process of ours, and again after each credential
   * change (setresuid in ns_switch_ids, a nested user namespace), because
   * the kernel clears the parent-death signal then. */
  if (plan->die_with_parent && prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
    die_with_error ("prctl");
}

/* ---- the command ------------------------------------------------------- */

/* Tell the monitor how exec went.  It may be dead (SIGKILLed): the sandbox
 * then carries on without it unless --die-with-parent, as in bubblewrap, so
 * the write must not raise SIGPIPE and kill the command before it runs.
 * Ignoring drops the signal at once (a blocked one would stay pending
 * across exec); the caller's disposition is put back for the command. */
static void
report_exec_status (int fd, char status)
{
  struct sigaction ignore = { .sa_handler = SIG_IGN };
  struct sigaction old;
  bool is_ignoring = sigaction (SIGPIPE, &ignore, &old) == 0;

  (void) write_all (fd, &status, 1);   /* EPIPE: nobody left to tell */
  if (is_ignoring)
    (void) sigaction (SIGPIPE, &old, NULL);
}

/* sp: the pid-1 helper's spawn of us (spawn.c), NULL when the sandbox
 * process execs the command itself. */
static void BWRAP_NORETURN
exec_command (struct runtime *rt, struct sandbox_fds *fds, const struct spawn *sp)
{
  struct plan *plan = rt->plan;
  char **argv = plan->command;
  int saved;

  if (plan->sync_fd >= 0 && !plan->as_pid_1)
    (void) close (plan->sync_fd);
  arm_parent_death_signal (plan);
  caps_raise_ambient (&rt->caps, plan);
  selinux_set_exec_label (plan->exec_label, plan->command[0]);
  /* S4: wait until the pid-1 helper, which we share the sandbox with,
   * runs under our filters too. */
  if (sp != NULL)
    spawn_hold (sp);
  if (sigprocmask (SIG_SETMASK, &fds->saved_mask, NULL) != 0)
    die_with_error ("sigprocmask");
  /* Seccomp last: the filters may forbid anything we do above. */
  seccomp_install (&rt->seccomp);
  /* S5: tell the monitor the command is about to run. */
  report_exec_status (fds->exec_status, EXEC_STARTED);
  if (plan->argv0 != NULL)
    {
      argv = xcalloc (plan->n_command + 1, sizeof *argv);
      memcpy (argv, plan->command, plan->n_command * sizeof *argv);
      argv[0] = plan->argv0;
    }
  execvp (plan->command[0], argv);
  saved = errno;
  report_exec_status (fds->exec_status, EXEC_FAILED);
  errno = saved;
  die_with_error ("execvp %s", plan->command[0]);
}

/* ---- pid 1 ------------------------------------------------------------- */

static int
compare_fds (const void *a, const void *b)
{
  int x = *(const int *) a, y = *(const int *) b;
  return (x > y) - (x < y);
}

/* Close every fd from 3 up but those in keep[] (any order; entries below
 * 3 are ignored).  Sorts keep[]. */
static void
close_fds_keeping (int *keep, size_t n_keep)
{
  unsigned int next = 3;

  qsort (keep, n_keep, sizeof *keep, compare_fds);
  for (size_t i = 0; i < n_keep; i++)
    {
      if (keep[i] < 0 || (unsigned int) keep[i] < next)
        continue;
      if ((unsigned int) keep[i] > next)
        (void) close_range (next, keep[i] - 1, 0);
      next = keep[i] + 1;
    }
  (void) close_range (next, ~0U, 0);
}

static void
close_fds_except (int keep_a, int keep_b)
{
  int keep[] = { keep_a, keep_b };

  close_fds_keeping (keep, N_ELEMENTS (keep));
}

/* The fds pid 1 keeps for the sandbox's lifetime: --sync-fd (its closing
 * tells the caller we are gone) and the --lock-file locks, which last as
 * long as their fds are open here; and until the command has exec'd, our
 * ends of the S4 pipes.  keep[] has room for all of them. */
struct reaper_fds
{
  int *keep;
  size_t n_keep;
};

/* Takes the --lock-file locks (F_RDLCK, F_SETLK: never waits), opened
 * inside the sandbox with the command's own capabilities. */
static void
take_locks (const struct plan *plan, struct reaper_fds *rfds)
{
  for (size_t i = 0; i < plan->n_lock_files; i++)
    {
      struct flock lock = { .l_type = F_RDLCK, .l_whence = SEEK_SET };
      int fd = open (plan->lock_files[i], O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        die_with_error ("Unable to open lock file %s", plan->lock_files[i]);
      if (fcntl (fd, F_SETLK, &lock) != 0)
        die_with_error ("Unable to lock file %s", plan->lock_files[i]);
      rfds->keep[rfds->n_keep++] = fd;
    }
}

struct command_start
{
  struct runtime *rt;
  struct sandbox_fds *fds;
  const struct spawn *sp;
};

/* The command's process, on the stack spawn_start mapped for it. */
static int
command_main (void *data)
{
  struct command_start *start = data;

  exec_command (start->rt, start->fds, start->sp);
}

/* The sandbox process becomes pid 1 (or, without a pid namespace, the
 * helper that holds --sync-fd and the locks): it starts the command and
 * reaps.
 *
 * We stay dumpable, unlike the monitor: the caller joins our namespaces
 * through /proc/<child-pid>/ns (Flatpak's "enter", --userns and --pidns
 * of a second sandbox), which the kernel would refuse it too, since we
 * never exec'd.  With the command's uid, that leaves us open to it: it may
 * open our /proc files and ptrace us.  So, before the command exists
 * (it waits before its exec, spawn.c): every fd is closed but --sync-fd
 * and the locks (opened inside the sandbox, taken before the command
 * starts since the caller relies on them from the start), our root and
 * cwd are the sandbox's, we hold no capability, and the caller's filters
 * are installed: a command that takes us over can make us do no more
 * than it may do itself. */
static void BWRAP_NORETURN
reaper_main (struct runtime *rt, struct sandbox_fds *fds, const sigset_t *mask)
{
  struct plan *plan = rt->plan;
  int keep[plan->n_lock_files + 3];
  struct reaper_fds rfds = { keep, 0 };
  struct spawn sp;
  struct command_start start = { rt, fds, &sp };
  pid_t command_pid;
  int sfd;

  keep[rfds.n_keep++] = plan->sync_fd;
  take_locks (plan, &rfds);
  /* S4: the command waits before its exec until spawn_release. */
  spawn_start (&sp, plan->n_command, command_main, &start);
  command_pid = sp.pid;
  /* Its fd table is a copy: closing ours takes nothing from it. */
  keep[rfds.n_keep++] = sp.fds.ready_rd;
  keep[rfds.n_keep++] = sp.fds.go_wr;
  close_fds_keeping (rfds.keep, rfds.n_keep);
  caps_drop_all ();
  arm_parent_death_signal (plan);
  /* The signalfd first: a caller's filter may deny signalfd4, and pid 1
   * failing would take the whole sandbox with it. */
  sfd = open_signalfd (mask);
  seccomp_install (&rt->seccomp);
  spawn_release (&sp);
  for (;;)
    {
      struct signalfd_siginfo si;
      int status;
      pid_t p;

      read_signal (sfd, &si);
      if (should_forward (&si, plan->new_session))
        (void) kill (command_pid, si.ssi_signo);
      /* Reap everything reparented to us; leave as soon as the command is
       * gone.  As pid 1, our exit takes every other sandbox process with
       * it, which is what lets the monitor promise a clean teardown. */
      while ((p = waitpid (-1, &status, WNOHANG)) > 0)
        if (p == command_pid)
          _exit (status_exit_code (status));
    }
}

/* ---- the sandbox process ----------------------------------------------- */

static bool
needs_dev_remap (const struct runtime *rt, int clone_flags)
{
  const struct plan *plan = rt->plan;

  /* Setuid mode: the helper's maps already give devpts its 0. */
  if (!(clone_flags & CLONE_NEWUSER) || rt->is_setuid)
    return false;
  /* devpts can only be mounted where uid 0 and gid 0 are mapped. */
  return plan_has_op (plan, SETUP_OP_DEV) && !(plan->uid == 0 && plan->gid == 0);
}

static void
enter_cwd (struct runtime *rt)
{
  struct plan *plan = rt->plan;
  const char *home = getenv ("HOME");
  const char *dir = "/";

  if (plan->chdir_path != NULL)
    {
      if (chdir (plan->chdir_path) != 0)
        die_with_error ("Can't chdir to %s", plan->chdir_path);
      dir = plan->chdir_path;
    }
  else if (rt->cwd != NULL && chdir (rt->cwd) == 0)
    dir = rt->cwd;
  else if (home != NULL && chdir (home) == 0)
    dir = home;
  else if (chdir ("/") != 0)
    die_with_error ("Can't chdir to /");
  if (setenv ("PWD", dir, 1) != 0)
    die_oom ();
}

static void BWRAP_NORETURN
sandbox_main (struct runtime *rt, struct sandbox_fds *fds, const sigset_t *mask)
{
  struct plan *plan = rt->plan;
  int flags = fds->clone_flags;
  bool dev_remap = needs_dev_remap (rt, flags);
  cleanup_fd int proc_fd = -1;
  mode_t old_umask;

  arm_parent_death_signal (plan);
  /* These belong to the monitor: a copy here would keep the reader from
   * seeing EOF while the sandbox runs, and the command must not get them. */
  if (plan->info_fd >= 0)
    (void) close (plan->info_fd);
  if (plan->json_status_fd >= 0)
    (void) close (plan->json_status_fd);
  /* The caller's procfs: "self" is us in it, also after pivot_root. */
  proc_fd = open ("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (proc_fd < 0)
    die_with_error ("Can't open /proc");

  /* S2: wait until the monitor is non-dumpable, has read our namespace
   * ids for --info-fd (they vanish if we exit first) and, with
   * --userns-block-fd, the caller has written our id maps.  EOF instead
   * of the byte: the monitor died (e.g. "Write to info_fd") and the
   * command must not run behind its back. */
  wait_go (fds->release);
  if ((flags & CLONE_NEWUSER) && plan->userns_block_fd < 0)
    ns_write_id_maps (proc_fd, dev_remap ? 0 : plan->uid, rt->real_uid,
                      dev_remap ? 0 : plan->gid, rt->real_gid);
  if (flags & CLONE_NEWNET)
    {
      struct bwrap_error err = { 0 };
      int r = fds->mnt->step (MOUNT_STEP_LOOPBACK, &err);
      if (r < 0)
        die_error (&err);
    }

  old_umask = umask (0);
  selinux_set_file_label (plan->file_label);
  setup_build_root (plan, fds->mnt, (flags & CLONE_NEWPID) != 0 || plan->pidns_fd >= 0);
  (void) umask (old_umask);
  /* S3 (setuid mode): the setuid peer is gone before anything else
   * runs. */
  fds->mnt->finish ();

  ns_finish_user (plan, proc_fd, dev_remap);
  if (plan->userns_fd >= 0 && (plan->has_uid || plan->has_gid))
    ns_switch_ids (plan->has_uid ? plan->uid : getuid (), plan->has_gid ? plan->gid : getgid ());
  rt->caps.has_userns = (flags & CLONE_NEWUSER) != 0 || plan->userns_fd >= 0 || rt->is_setuid;
  caps_apply_final (&rt->caps, plan);

  if (plan->block_fd >= 0)
    {
      /* Errors ignored, as bubblewrap ignores them. */
      (void) wait_readable_byte (plan->block_fd);
      (void) close (plan->block_fd);
    }
  seccomp_load_main (plan, &rt->seccomp);
  enter_cwd (rt);
  if (plan->new_session && setsid () == (pid_t) -1)
    die_with_error ("setsid");

  if (((flags & CLONE_NEWPID) && !plan->as_pid_1) || plan->n_lock_files > 0 || plan->sync_fd >= 0)
    reaper_main (rt, fds, mask);
  exec_command (rt, fds, NULL);
}

/* ---- the monitor ------------------------------------------------------- */

/* Write the start document doc (taken) to fd, if fd >= 0.  bubblewrap
 * says "Write to info_fd" for either fd; we keep its words. */
static void
write_start_doc (int fd, char *doc, bool then_close)
{
  cleanup_free char *owned = doc;
  int r;

  if (fd < 0)
    return;
  r = write_all (fd, owned, strlen (owned));
  if (r < 0)
    {
      errno = -r;
      die_with_error ("Write to info_fd");
    }
  if (then_close)
    (void) close (fd);
}

/* ids: the sandbox's namespace ids, read here when NULL (setuid mode:
 * read by the helper, as we may not look into the sandbox process). */
static void
monitor_report_start (const struct plan *plan, pid_t pid, int clone_flags,
                      const uint64_t *known_ids)
{
  uint64_t ids[STATUS_NS_COUNT];

  if (plan->info_fd < 0 && plan->json_status_fd < 0)
    return;
  if (known_ids != NULL)
    memcpy (ids, known_ids, sizeof ids);
  else
    status_read_ns_ids (pid, clone_flags, ids);
  /* --info-fd is closed at once (its reader waits for EOF);
   * --json-status-fd stays open for the exit-code document. */
  write_start_doc (plan->info_fd, status_format_start (pid, ids, true), true);
  write_start_doc (plan->json_status_fd, status_format_start (pid, ids, false), false);
}

static int
monitor_wait (const struct plan *plan, pid_t pid, const sigset_t *mask)
{
  int sfd = open_signalfd (mask);

  for (;;)
    {
      struct signalfd_siginfo si;
      int status;

      read_signal (sfd, &si);
      if (should_forward (&si, plan->new_session))
        (void) kill (pid, si.ssi_signo);
      if (waitpid (pid, &status, WNOHANG) == pid)
        {
          (void) close (sfd);
          return status_exit_code (status);
        }
    }
}

#if SUPPORT_SETUID
/* Setuid mode: the setuid helper creates the sandbox process, in
 * namespaces owned by root, as our child (setuid-helper.c). */
static pid_t
clone_setuid_sandbox (struct runtime *rt, const struct sandbox_fds *fds, int exec_status,
                      int release, uint64_t ids[STATUS_NS_COUNT])
{
  const struct plan *plan = rt->plan;
  struct setuid_helper_request req = {
    .clone_flags = (uint32_t) fds->clone_flags,
    .inside_uid = plan->uid,
    .inside_gid = plan->gid,
    .flags = plan_has_op (plan, SETUP_OP_DEV) ? SETUID_HELPER_DEV : 0,
  };
  pid_t pid;

  pid = setuid_helper_clone_sandbox (&rt->helper, &req, exec_status, release, rt->handoff_fd, ids);
  (void) close (rt->handoff_fd);
  rt->handoff_fd = -1;
  return pid;
}

void
process_run_setuid_sandbox (struct runtime *rt, const struct setuid_helper_sandbox *sb)
{
  struct sandbox_fds fds = {
    .exec_status = sb->exec_status,
    .release = sb->release,
    /* The user namespace exists and its maps are written. */
    .clone_flags = sb->clone_flags & ~CLONE_NEWUSER,
  };
  sigset_t mask;

  block_signals (&mask, &fds.saved_mask);
  fds.mnt = setuid_client_start (sb->peer_sock, sb->peer_pid);
  sandbox_main (rt, &fds, &mask);
}
#endif

int
process_run (struct runtime *rt)
{
  struct plan *plan = rt->plan;
  struct sandbox_fds fds = { .exec_status = -1, .release = -1, .mnt = mount_backend_local () };
  int exec_pipe[2], release_pipe[2];
  uint64_t setuid_ids[STATUS_NS_COUNT] = { 0 };
  char buf[2];
  sigset_t mask;
  pid_t pid;
  int exit_code;
  ssize_t n;

  fds.clone_flags = ns_clone_flags (plan);
  block_signals (&mask, &fds.saved_mask);
  if (pipe2 (exec_pipe, O_CLOEXEC) != 0)
    die_with_error ("pipe");
  /* Always: the sandbox may not run the command before S2, by which
   * time this process is non-dumpable (see there). */
  if (pipe2 (release_pipe, O_CLOEXEC) != 0)
    die_with_error ("pipe");

  ns_join_before_clone (plan);
#if SUPPORT_SETUID
  if (rt->is_setuid)
    pid = clone_setuid_sandbox (rt, &fds, exec_pipe[1], release_pipe[0], setuid_ids);
  else
#endif
  if (plan->pidns_fd >= 0)
    pid = ns_clone_in_pidns (plan->pidns_fd, fds.clone_flags);
  else
    pid = ns_clone (fds.clone_flags);
  if (pid == 0)
    {
      (void) close (exec_pipe[0]);
      (void) close (release_pipe[1]);
      fds.exec_status = exec_pipe[1];
      fds.release = release_pipe[0];
      sandbox_main (rt, &fds, &mask);
    }

  (void) close (exec_pipe[1]);
  (void) close (release_pipe[0]);
  arm_parent_death_signal (plan);
  monitor_report_start (plan, pid, fds.clone_flags, rt->is_setuid ? setuid_ids : NULL);
  /* The monitor needs no privilege from here on (in setuid mode it has
   * none since setuid_helper_start).  After joining --userns it holds every
   * capability there: drop those too. */
  if (rt->is_root || plan->userns_fd >= 0)
    caps_drop_all ();
  /* The caller maps the ids of child-pid (from --info-fd) meanwhile.  An
   * fd that was never valid means nobody will: say so, rather than let
   * the sandbox fail later on unmapped ids with a puzzling message. */
  if (plan->userns_block_fd >= 0)
    {
      int r = wait_readable_byte (plan->userns_block_fd);
      if (r < 0)
        {
          errno = -r;
          die_with_error ("--userns-block-fd %d", plan->userns_block_fd);
        }
    }
  /* The command runs with our uid, and with --userns in the user
   * namespace we joined: while we are dumpable it may open
   * /proc/<our pid>/root (the host's root), our fds and memory, or
   * ptrace us, whenever it can see our pid ($PPID without a pid
   * namespace; a host /proc bound in).  Non-dumpable, every such access
   * needs CAP_SYS_PTRACE in the namespace we were started in, which the
   * command never has.  After our last credential change (which could
   * reset the flag) and before S2, so the command never sees us
   * dumpable. */
  if (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
    die_with_error ("prctl(PR_SET_DUMPABLE)");
  /* S2: release the sandbox. */
  (void) write_all (release_pipe[1], "r", 1);
  (void) close (release_pipe[1]);

  /* As in bubblewrap, the monitor keeps only what it still uses, the
   * exec-status pipe and --json-status-fd (its signalfd comes later).  The
   * data, layer and bind fds the caller passed, unrelated ones and
   * --sync-fd (whose EOF must mean "the sandbox is gone") would otherwise
   * stay open here for the sandbox's lifetime; the sandbox has its own
   * copies by now. */
  close_fds_except (exec_pipe[0], plan->json_status_fd);
  exit_code = monitor_wait (plan, pid, &mask);
  /* With a PID namespace of its own nothing of the sandbox, mounts
   * included, outlives pid 1: the empty upper directories a split
   * --overlay made in RWSRC can go (issue 27; overlay-split-tidy.c). */
  if ((fds.clone_flags & CLONE_NEWPID) && !rt->is_setuid)
    overlay_split_tidy (plan);
  /* S5: did the command start?  (EOF: the sandbox died before.) */
  n = read (exec_pipe[0], buf, sizeof buf);
  (void) close (exec_pipe[0]);
  /* The exit-code document only when the command really ran. */
  if (plan->json_status_fd >= 0 && n == 1 && buf[0] == EXEC_STARTED)
    {
      cleanup_free char *doc = status_format_exit (exit_code);
      (void) write_all (plan->json_status_fd, doc, strlen (doc));  /* errors ignored, as bubblewrap */
      (void) close (plan->json_status_fd);
    }
  return exit_code;
}
