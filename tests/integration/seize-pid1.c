/* SPDX-License-Identifier: LGPL-2.0-or-later
 * seize-pid1 DIR: run as the sandboxed command (test-seccomp.sh), the
 * attack of issue 23 on the pid-1 helper.  The very first thing it does
 * is PTRACE_SEIZE pid 1; if that works, it stops pid 1 with
 * PTRACE_INTERRUPT (a SIGSTOP would be ignored by a namespace's init),
 * makes it run mkdir (DIR) through one of its own `syscall`
 * instructions, and lets it go unchanged.  Then it reads pid 1's
 * "Seccomp:" line and tries to open /proc/1/mem.  It prints:
 *   seize OK|<errno name>
 *   mkdir OK|<errno name>|not-tried|unsupported
 *   seccomp <N>
 *   mem OK|<errno name>
 * and exits 0 (2 on a usage or tooling error).  The injection is written
 * for x86_64; elsewhere it prints "mkdir unsupported". */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *
result (int r)
{
  return r == 0 ? "OK" : strerrorname_np (r);
}

#ifdef __x86_64__
/* The address of a `syscall` instruction (0f 05) in an executable
 * mapping of pid, or 0. */
static uintptr_t
find_syscall_insn (pid_t pid)
{
  char path[64], line[512];
  uintptr_t found = 0;
  FILE *maps;
  int mem;

  snprintf (path, sizeof path, "/proc/%d/maps", (int) pid);
  maps = fopen (path, "re");
  snprintf (path, sizeof path, "/proc/%d/mem", (int) pid);
  mem = open (path, O_RDONLY | O_CLOEXEC);
  while (maps != NULL && mem >= 0 && found == 0 && fgets (line, sizeof line, maps) != NULL)
    {
      unsigned long start, end;
      char perms[5];
      static unsigned char buf[1 << 16];

      if (sscanf (line, "%lx-%lx %4s", &start, &end, perms) != 3 || perms[2] != 'x')
        continue;
      for (unsigned long at = start; at < end && found == 0; at += sizeof buf - 1)
        {
          size_t want = end - at < sizeof buf ? end - at : sizeof buf;
          ssize_t n = pread (mem, buf, want, (off_t) at);
          for (ssize_t i = 0; i + 1 < n; i++)
            if (buf[i] == 0x0f && buf[i + 1] == 0x05)
              {
                found = at + i;
                break;
              }
        }
    }
  if (maps != NULL)
    fclose (maps);
  if (mem >= 0)
    close (mem);
  return found;
}

/* Make the stopped tracee pid call mkdir (dir, 0755); its registers and
 * the bytes below its stack pointer that we borrow are put back.  0 or
 * the errno of the tracee's call (or of ours). */
static int
inject_mkdir (pid_t pid, const char *dir)
{
  struct user_regs_struct saved, regs;
  uintptr_t insn = find_syscall_insn (pid);
  size_t len = strlen (dir) + 1;
  uintptr_t at;
  long words[64];
  int status;

  if (insn == 0 || len > sizeof words || ptrace (PTRACE_GETREGS, pid, 0, &saved) != 0)
    return errno != 0 ? errno : ENOEXEC;
  /* Below the red zone: memory the tracee does not use while stopped. */
  at = (saved.rsp - 1024) & ~(uintptr_t) 15;
  memset (words, 0, sizeof words);
  memcpy (words, dir, len);
  for (size_t i = 0; i * sizeof (long) < len; i++)
    if (ptrace (PTRACE_POKEDATA, pid, at + i * sizeof (long), words[i]) != 0)
      return errno;
  regs = saved;
  regs.rip = insn;
  regs.rax = SYS_mkdir;
  regs.rdi = at;
  regs.rsi = 0755;
  regs.orig_rax = (unsigned long) -1;   /* no syscall restart on resume */
  if (ptrace (PTRACE_SETREGS, pid, 0, &regs) != 0
      || ptrace (PTRACE_SINGLESTEP, pid, 0, 0) != 0
      || waitpid (pid, &status, __WALL) != pid
      || ptrace (PTRACE_GETREGS, pid, 0, &regs) != 0)
    return errno;
  if (ptrace (PTRACE_SETREGS, pid, 0, &saved) != 0)
    return errno;
  return (long) regs.rax < 0 ? (int) -(long) regs.rax : 0;
}
#endif

int
main (int argc, char **argv)
{
  const char *seize, *mkdir_result = "not-tried";
  char line[256], seccomp[64] = "?";
  FILE *status_file;
  int fd;

  if (argc != 2)
    {
      fprintf (stderr, "usage: seize-pid1 DIR\n");
      return 2;
    }
  /* First, before anything slows us down. */
  seize = ptrace (PTRACE_SEIZE, 1, 0, 0) == 0 ? "OK" : strerrorname_np (errno);
  if (strcmp (seize, "OK") == 0)
    {
      int status;

      if (ptrace (PTRACE_INTERRUPT, 1, 0, 0) != 0 || waitpid (1, &status, __WALL) != 1)
        {
          perror ("seize-pid1: stopping pid 1");
          return 2;
        }
#ifdef __x86_64__
      mkdir_result = result (inject_mkdir (1, argv[1]));
#else
      mkdir_result = "unsupported";
#endif
      (void) ptrace (PTRACE_DETACH, 1, 0, 0);
    }

  status_file = fopen ("/proc/1/status", "re");
  while (status_file != NULL && fgets (line, sizeof line, status_file) != NULL)
    if (sscanf (line, "Seccomp: %63s", seccomp) == 1)
      break;
  if (status_file != NULL)
    fclose (status_file);
  fd = open ("/proc/1/mem", O_RDONLY | O_CLOEXEC);
  printf ("seize %s\nmkdir %s\nseccomp %s\nmem %s\n", seize, mkdir_result, seccomp,
          fd >= 0 ? "OK" : strerrorname_np (errno));
  return 0;
}
