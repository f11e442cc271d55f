/* SPDX-License-Identifier: LGPL-2.0-or-later
 * handoff.h: what the setuid monitor read that the sandbox process must
 * see again (--args data, seccomp programs), passed as a sealed memfd.
 * In setuid mode the sandbox process is not the monitor's fork (see
 * setuid-helper.h): it re-parses the command line, and these fds were read
 * to EOF by the monitor already.  Both ends are the user's unprivileged
 * processes; the setuid helper only passes the fd on. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "seccomp.h"

enum handoff_kind
{
  HANDOFF_ARGS = 1,      /* one --args read, in order */
  HANDOFF_SECCOMP,       /* one program, in command-line order */
};

struct handoff
{
  char *data;            /* the whole hand-off, read back */
  size_t len;
  size_t off;            /* reading position */
};

/* Writer: a new memfd; append records; seal and rewind.  0 or -errno. */
int handoff_create (void);
int handoff_append (int fd, enum handoff_kind kind, const void *data, size_t len);
int handoff_finish (int fd);

/* Reader: read fd whole (0 or -errno), then take the next record of the
 * given kind (records of other kinds in between are an error): returns
 * 0 with a pointer into h->data, or -ENOENT when none is left, -EINVAL
 * when the data is malformed. */
int handoff_read (int fd, struct handoff *h);
int handoff_next (struct handoff *h, enum handoff_kind kind, const char **ret_data,
                  size_t *ret_len);
void handoff_free (struct handoff *h);

/* Every HANDOFF_SECCOMP record into set.  0 or -EINVAL. */
int handoff_seccomp (struct handoff *h, struct seccomp_set *set);
