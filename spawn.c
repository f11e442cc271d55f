/* SPDX-License-Identifier: LGPL-2.0-or-later
 * spawn.c: the pid-1 helper starts the command (sync point S4).  Runs in
 * pid 1 (spawn_start, spawn_release: no privilege needed) and in the
 * command's process before its exec (spawn_hold, with the command's
 * capabilities).
 *
 * The shape, and why (issue 23):
 * - clone (CLONE_VM): the child shares our memory, as with posix_spawn,
 *   so no copy of pid 1's address space is made only for the exec to
 *   throw it away (a fork made the pid-1 helper cost 10% of a start).
 * - A stack of its own, mapped here with a PROT_NONE guard page below it
 *   and sized from the argument count: glibc's execvp keeps a path buffer
 *   on the stack and, for a script without "#!" (ENOEXEC), a copy of the
 *   argument vector for /bin/sh.  A fixed 64 KiB array in pid 1's frame
 *   overflowed from about 8,200 arguments and crashed pid 1.
 * - The child waits before its exec until pid 1 is safe to leave beside
 *   the command.  Pid 1 has the command's uid and stays dumpable (the
 *   caller joins the sandbox through /proc/<child-pid>/ns), so the command
 *   could ptrace it and make it run any call its own filters forbid, as
 *   long as pid 1 is not filtered yet.  Pid 1 cannot install the filters
 *   before the clone: they may deny clone itself, and the child would
 *   inherit them before its own pre-exec steps (ambient capabilities, the
 *   exec label), which come before its filters by design.  So the child
 *   does those steps, writes "ready" and waits; pid 1 closes its fds,
 *   drops its capabilities, installs the filters and writes "go".
 * - No CLONE_VFORK, since pid 1 must run while the child waits.  The two
 *   share errno and the rest of the thread's C library state (no
 *   CLONE_SETTLS), so they never run library code at the same time: pid 1
 *   sits in read() until the ready byte, the child in read() until the go
 *   byte, and pid 1 in read() again until the exec closes the child's end
 *   of the ready pipe (O_CLOEXEC), after which the stack is ours to free.
 * A pipe's EOF tells each side that the other died: a child dead before
 * "ready" is reaped as the command; pid 1 dead before "go" (without a pid
 * namespace, which would kill the child with it) makes the child exit 1. */
#include "spawn.h"

#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include "utils.h"

#define SPAWN_READY 'r'
#define SPAWN_GO 'g'

/* AddressSanitizer cannot follow a child that shares our memory on a
 * stack it did not see made: on each call to a noreturn function (exit,
 * execvp) the child prints a warning about the stack on stderr, which the
 * command's caller would see.  An ASan build forks instead: the same
 * steps and the same hand-over through the two pipes, on a copy of our
 * memory and of our stack. */
#if defined(__SANITIZE_ADDRESS__)
# define SPAWN_FORKS 1
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define SPAWN_FORKS 1
# endif
#endif
#ifndef SPAWN_FORKS
# define SPAWN_FORKS 0
#endif

/* Bytes of stack the child may use.  Its own steps need well under
 * 64 KiB (the deepest is die() formatting a message); execvp adds a
 * buffer for PATH entry + name and, for a script without "#!", the shell's
 * argument vector: two pointers more than the command's, NULL included. */
static size_t
stack_size_for (size_t n_args, size_t page)
{
  size_t size = 64 * 1024 + PATH_MAX + NAME_MAX + 1 + (n_args + 3) * sizeof (char *);

  return (size + page - 1) / page * page;
}

static ssize_t
read_byte (int fd, char *byte)
{
  ssize_t n;

  do
    n = read (fd, byte, 1);
  while (n < 0 && errno == EINTR);
  return n;
}

void
spawn_start (struct spawn *sp, size_t n_args, int (*fn) (void *), void *arg)
{
  size_t page = (size_t) sysconf (_SC_PAGESIZE);
  size_t size = stack_size_for (n_args, page);
  int ready[2], go[2];
  sigset_t sigpipe;
  char byte;

  sp->map_size = page + size;
  sp->map = mmap (NULL, sp->map_size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (sp->map == MAP_FAILED
      || mprotect ((char *) sp->map + page, size, PROT_READ | PROT_WRITE) != 0)
    die_with_error ("Can't map a stack for the command");
  if (pipe2 (ready, O_CLOEXEC) != 0 || pipe2 (go, O_CLOEXEC) != 0)
    die_with_error ("pipe");
  sp->fds = (struct spawn_fds) { ready[0], ready[1], go[0], go[1] };
  /* A "go" written to a child that died meanwhile must not kill us: the
   * child restores the caller's signal mask itself before its exec. */
  sigemptyset (&sigpipe);
  sigaddset (&sigpipe, SIGPIPE);
  if (sigprocmask (SIG_BLOCK, &sigpipe, NULL) != 0)
    die_with_error ("sigprocmask");

  if (SPAWN_FORKS)
    {
      sp->pid = fork ();
      if (sp->pid == 0)
        _exit (fn (arg));
    }
  else
    /* The stack grows down from the end of the mapping, towards the guard. */
    sp->pid = clone (fn, (char *) sp->map + sp->map_size, CLONE_VM | SIGCHLD, arg);
  if (sp->pid < 0)
    die_with_error ("Can't fork");
  (void) close (ready[1]);
  (void) close (go[0]);
  sp->is_held = read_byte (ready[0], &byte) == 1;
}

void
spawn_hold (const struct spawn *sp)
{
  /* Pid 1's ends: with go_wr gone here, EOF on go_rd means pid 1 died. */
  (void) close (sp->fds.ready_rd);
  (void) close (sp->fds.go_wr);
  if (write (sp->fds.ready_wr, &(char) { SPAWN_READY }, 1) != 1)
    _exit (1);
  wait_go (sp->fds.go_rd);
  /* ready_wr stays open until the exec closes it: pid 1 waits for that. */
}

void
spawn_release (struct spawn *sp)
{
  char byte;

  /* Called under the caller's filters: nothing here but write, close,
   * read and munmap.  A failed write leaves the child to read EOF and
   * exit 1 (EPIPE: it is dead already). */
  if (sp->is_held && write (sp->fds.go_wr, &(char) { SPAWN_GO }, 1) != 1 && errno != EPIPE)
    die_with_error ("Can't release the command");
  (void) close (sp->fds.go_wr);
  /* EOF: the child has exec'd or died, so its stack is ours again.  An
   * error (a filter denying read) leaves the mapping in place: the child
   * may still be on it. */
  if (read_byte (sp->fds.ready_rd, &byte) == 0)
    (void) munmap (sp->map, sp->map_size);
  (void) close (sp->fds.ready_rd);
}
