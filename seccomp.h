/* SPDX-License-Identifier: LGPL-2.0-or-later
 * seccomp.h: --seccomp and --add-seccomp-fd programs.  As bubblewrap,
 * --add-seccomp-fd is read in the caller's process while parsing and
 * --seccomp in the sandbox after the --block-fd wait (so a caller may
 * write it once it has the sandbox's --info-fd); both are installed in
 * the command's process (and the pid-1 helper) right before exec, after
 * no_new_privs. */
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
 * Refuses an empty program, a size not a multiple of 8 and more than
 * BPF_MAXINSNS instructions.  0 or -errno with err filled. */
int seccomp_read_program (int fd, struct sock_fprog *ret, struct bwrap_error *err);

/* Read the --add-seccomp-fd programs into set (emptied first), or the
 * --seccomp program (appended).  Die on error. */
void seccomp_load_added (const struct plan *plan, struct seccomp_set *set);
void seccomp_load_main (const struct plan *plan, struct seccomp_set *set);

/* Free what seccomp_load_all read. */
void seccomp_set_free (struct seccomp_set *set);

/* Install every program in order.  Dies with bubblewrap's messages. */
void seccomp_install (const struct seccomp_set *set);
