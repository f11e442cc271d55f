/* SPDX-License-Identifier: LGPL-2.0-or-later
 * spawn.h: how the pid-1 helper starts the command (sync point S4).  The
 * child shares pid 1's memory (no copy of the address space for an exec
 * to throw away) but runs on a stack of its own, and it waits before its
 * exec until pid 1 has made itself safe to leave beside the command:
 * capabilities dropped, fds closed, the caller's seccomp filters
 * installed.  spawn_start and spawn_release run in pid 1, spawn_hold in
 * the child, before its exec. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Written by spawn_start before the child exists, then only read until
 * spawn_release (the child reads it too, in the same memory). */
struct spawn_fds
{
  int ready_rd, ready_wr;   /* the child's "ready" byte, then EOF at its exec */
  int go_rd, go_wr;         /* pid 1's "go" byte, or EOF if pid 1 died */
};

struct spawn
{
  struct spawn_fds fds;
  pid_t pid;                /* the child */
  bool is_held;             /* the child is waiting in spawn_hold */
  void *map;                /* the child's stack, a guard page at the bottom */
  size_t map_size;
};

/* Start fn (arg) as a child of ours sharing our memory, on a stack sized
 * for a command of n_args arguments.  Returns once the child waits in
 * spawn_hold, or has died (sp->is_held false).  Pid 1's only fds from
 * the spawn are sp->fds.ready_rd and sp->fds.go_wr.  Dies on error. */
void spawn_start (struct spawn *sp, size_t n_args, int (*fn) (void *), void *arg);

/* In the child: tell pid 1 we wait, and wait for spawn_release; exit 1
 * if pid 1 dies first. */
void spawn_hold (const struct spawn *sp);

/* In pid 1, once it is safe: let the child go on to its exec, wait until
 * it has exec'd (or died), then free its stack.  Needs only write, read,
 * close and munmap, which a caller's filter installed just before must
 * allow; a failure leaves the child to exit 1. */
void spawn_release (struct spawn *sp);
