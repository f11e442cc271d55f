/* SPDX-License-Identifier: LGPL-2.0-or-later
 * attach-probe: what the calling user can do to a process, for
 * test-setuid-attach.sh (the CVE-2026-41163 class: a user taking over a
 * process of a setuid sandbox's setup).  Run as the user, never as root.
 *
 *   attach-probe PID        tries, in this order, and prints one line each,
 *                           "<attempt> <result>" (OK or the errno's name):
 *     ptrace-attach         PTRACE_ATTACH (detached again at once if it works)
 *     ptrace-seize          PTRACE_SEIZE (likewise)
 *     mem                   open /proc/PID/mem read-write
 *     fd-dir                open the directory /proc/PID/fd
 *     fds                   open (O_PATH) /proc/PID/fd/N for N = 0..255: the
 *                           distinct results but ENOENT, "none" if only that
 *     root, cwd             open /proc/PID/root, /proc/PID/cwd as directories
 *     environ               open /proc/PID/environ
 *     pidfd-open            pidfd_open (needs no permission)
 *     pidfd-getfd           pidfd_getfd of N = 0..255: distinct results but
 *                           EBADF (no such fd), "none" if only that
 *     vm-readv              process_vm_readv of one byte (at the start of the
 *                           first mapping when /proc/PID/maps tells, else at
 *                           64 KiB: EFAULT then means the access was granted)
 *     SIGSTOP, SIGCONT      kill; after a delivered SIGSTOP it waits until
 *                           the process shows as stopped, then SIGCONT
 *   attach-probe --kill PID   kill (PID, SIGKILL): "SIGKILL <result>"
 *   attach-probe --fill FD    fills the pipe FD (shared with a bwrap that will
 *                             write to it) until a write would block, and
 *                             leaves it blocking again
 *   attach-probe --drain FD   reads what the pipe FD holds, without blocking
 *
 * Exit status 0, or 2 on a usage or tooling error. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_FD 256

static const char *
errname (int e)
{
  const char *name = e == 0 ? "OK" : strerrorname_np (e);
  return name != NULL ? name : "unknown-errno";
}

static void
report (const char *attempt, int e)
{
  printf ("%s %s\n", attempt, errname (e));
  fflush (stdout);
}

/* A tracer that got in lets go again, leaving the process as it was. */
static int
try_ptrace (pid_t pid, bool seize)
{
  long r = seize ? ptrace (PTRACE_SEIZE, pid, NULL, NULL) : ptrace (PTRACE_ATTACH, pid, NULL, NULL);
  int e = r == 0 ? 0 : errno;

  if (r == 0)
    {
      if (!seize)
        (void) waitpid (pid, NULL, __WALL);
      (void) ptrace (PTRACE_DETACH, pid, NULL, NULL);
    }
  return e;
}

static int
try_open (pid_t pid, const char *what, int flags)
{
  char path[64];
  int fd;

  snprintf (path, sizeof path, "/proc/%d/%s", (int) pid, what);
  fd = open (path, flags | O_CLOEXEC);
  if (fd < 0)
    return errno;
  (void) close (fd);
  return 0;
}

/* Distinct results over fds 0..MAX_FD-1, leaving out `absent` (the
 * answer for a number that is no fd when access is granted). */
struct tally
{
  bool seen[4096];
  char text[256];
};

static void
tally_add (struct tally *t, int e, int absent)
{
  if (e != absent && e >= 0 && e < 4096)
    t->seen[e] = true;
}

static const char *
tally_text (struct tally *t)
{
  t->text[0] = '\0';
  for (int e = 0; e < 4096; e++)
    if (t->seen[e])
      {
        if (t->text[0] != '\0')
          strncat (t->text, ",", sizeof t->text - strlen (t->text) - 1);
        strncat (t->text, errname (e), sizeof t->text - strlen (t->text) - 1);
      }
  return t->text[0] != '\0' ? t->text : "none";
}

static void
probe_fds (pid_t pid)
{
  static struct tally t;
  char what[32];

  memset (&t, 0, sizeof t);
  for (int n = 0; n < MAX_FD; n++)
    {
      snprintf (what, sizeof what, "fd/%d", n);
      tally_add (&t, try_open (pid, what, O_PATH), ENOENT);
    }
  printf ("fds %s\n", tally_text (&t));
}

static void
probe_pidfd (pid_t pid)
{
  static struct tally t;
  int pidfd = (int) syscall (SYS_pidfd_open, pid, 0);

  report ("pidfd-open", pidfd >= 0 ? 0 : errno);
  if (pidfd < 0)
    {
      printf ("pidfd-getfd not-tried\n");
      return;
    }
  memset (&t, 0, sizeof t);
  for (int n = 0; n < MAX_FD; n++)
    {
      int fd = (int) syscall (SYS_pidfd_getfd, pidfd, n, 0);
      tally_add (&t, fd >= 0 ? 0 : errno, EBADF);
      if (fd >= 0)
        (void) close (fd);
    }
  (void) close (pidfd);
  printf ("pidfd-getfd %s\n", tally_text (&t));
}

static int
try_vm_readv (pid_t pid)
{
  char path[64], byte;
  unsigned long start = 0x10000, end;
  struct iovec local = { &byte, 1 }, remote;
  FILE *maps;

  snprintf (path, sizeof path, "/proc/%d/maps", (int) pid);
  maps = fopen (path, "re");
  if (maps != NULL)
    {
      if (fscanf (maps, "%lx-%lx", &start, &end) != 2)
        start = 0x10000;
      fclose (maps);
    }
  remote.iov_base = (void *) start;
  remote.iov_len = 1;
  return process_vm_readv (pid, &local, 1, &remote, 1, 0) == 1 ? 0 : errno;
}

static bool
is_stopped (pid_t pid)
{
  char path[64], buf[512], *p;
  FILE *f;
  bool stopped = false;

  snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
  f = fopen (path, "re");
  if (f == NULL)
    return false;
  if (fgets (buf, sizeof buf, f) != NULL && (p = strrchr (buf, ')')) != NULL)
    stopped = p[1] == ' ' && (p[2] == 'T' || p[2] == 't');
  fclose (f);
  return stopped;
}

static void
probe_signals (pid_t pid)
{
  int e = kill (pid, SIGSTOP) == 0 ? 0 : errno;

  report ("SIGSTOP", e);
  if (e == 0)
    {
      /* At most 5 s: a stop that never shows still gets its SIGCONT. */
      for (int i = 0; i < 500 && !is_stopped (pid); i++)
        nanosleep (&(struct timespec) { 0, 10 * 1000 * 1000 }, NULL);
    }
  report ("SIGCONT", kill (pid, SIGCONT) == 0 ? 0 : errno);
}

static int
num_arg (const char *s)
{
  char *end;
  long v = strtol (s, &end, 10);

  if (*s == '\0' || *end != '\0' || v < 0 || v > 1 << 20)
    {
      fprintf (stderr, "attach-probe: bad number %s\n", s);
      exit (2);
    }
  return (int) v;
}

/* Nonblocking only while we fill: the flag belongs to the open file
 * description, which bwrap shares. */
static int
fill_or_drain (int fd, bool fill)
{
  static char buf[4096];
  int fl = fcntl (fd, F_GETFL);

  if (fl < 0 || fcntl (fd, F_SETFL, fl | O_NONBLOCK) < 0)
    return 2;
  for (;;)
    {
      ssize_t n = fill ? write (fd, buf, sizeof buf) : read (fd, buf, sizeof buf);
      if (n > 0)
        continue;
      if (n < 0 && fill && errno == EAGAIN)
        {
          /* Smaller pieces until not even one byte fits. */
          while (write (fd, buf, 1) == 1)
            ;
        }
      break;
    }
  return fcntl (fd, F_SETFL, fl) < 0 ? 2 : 0;
}

int
main (int argc, char **argv)
{
  pid_t pid;

  if (argc == 3 && (strcmp (argv[1], "--fill") == 0 || strcmp (argv[1], "--drain") == 0))
    return fill_or_drain (num_arg (argv[2]), strcmp (argv[1], "--fill") == 0);
  if (argc == 3 && strcmp (argv[1], "--kill") == 0)
    {
      report ("SIGKILL", kill (num_arg (argv[2]), SIGKILL) == 0 ? 0 : errno);
      return 0;
    }
  if (argc != 2)
    {
      fprintf (stderr, "usage: attach-probe [--kill] PID | --fill FD | --drain FD\n");
      return 2;
    }
  pid = num_arg (argv[1]);
  report ("ptrace-attach", try_ptrace (pid, false));
  report ("ptrace-seize", try_ptrace (pid, true));
  report ("mem", try_open (pid, "mem", O_RDWR));
  report ("fd-dir", try_open (pid, "fd", O_RDONLY | O_DIRECTORY));
  probe_fds (pid);
  report ("root", try_open (pid, "root", O_RDONLY | O_DIRECTORY));
  report ("cwd", try_open (pid, "cwd", O_RDONLY | O_DIRECTORY));
  report ("environ", try_open (pid, "environ", O_RDONLY));
  probe_pidfd (pid);
  report ("vm-readv", try_vm_readv (pid));
  probe_signals (pid);
  return 0;
}
