/* SPDX-License-Identifier: LGPL-2.0-or-later
 * seccomp.h: --seccomp and --add-seccomp-fd programs.  As bubblewrap,
 * --add-seccomp-fd is read in the caller's process while parsing and
 * --seccomp in the sandbox after the --block-fd wait (so a caller may
 * write it once it has the sandbox's --info-fd); both are installed in
 * the command's process right before exec, after no_new_privs, and in
 * the pid-1 helper while the command waits before its exec (spawn.c). */
#pragma once

#include <linux/filter.h>
#include <stddef.h>

#include "plan.h"
#include "utils.h"

struct seccomp_set
{
  struct sock_fprog *progs;   /* in command-line order */
  size_t n;
};

/* Read a compiled classic BPF program from fd to EOF and close fd.
 * Refuses a size not a multiple of 8 and more than BPF_MAXINSNS
 * instructions; an empty program is refused by seccomp_install.  0 or
 * -errno with err filled. */
int seccomp_read_program (int fd, struct sock_fprog *ret, struct bwrap_error *err);

/* One --add-seccomp-fd program: read (closing fd) and appended to set, a
 * struct seccomp_set passed as void * (an options_add_seccomp_fn).  0 or
 * -errno with err filled. */
int seccomp_add_program (int fd, void *userdata, struct bwrap_error *err);

/* Append the --seccomp program to set.  Dies on error. */
void seccomp_load_main (const struct plan *plan, struct seccomp_set *set);

/* Free the programs of set and empty it. */
void seccomp_set_free (struct seccomp_set *set);

/* Install every program in order.  Dies with bubblewrap's messages, or
 * ours for an empty program (the kernel would say EINVAL). */
void seccomp_install (const struct seccomp_set *set);
