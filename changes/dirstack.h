/* SPDX-License-Identifier: LGPL-2.0-or-later
 * changes/dirstack.h: walking a directory tree of any depth without
 * recursion and with a bounded number of open fds.  The upper directory
 * is untrusted input: a sandbox may leave a tree a million levels deep,
 * which would exhaust a recursive walker's stack or the fd limit.  A
 * listing reads one directory into memory, sorted; a dirstack keeps the
 * directories from the root to the current one, with at most max_open
 * fds: a deeper level closes the shallowest, and going back up reopens
 * it through ".." and checks it is still the same directory.  Runs in
 * bwrap-changes' process with the caller's rights. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The entries of one directory ("." and ".." left out), sorted by name
 * (strcmp, the byte order `status` sorts paths in). */
struct listing
{
  char *names;               /* NUL-terminated names, one after another */
  struct listing_entry
  {
    size_t offset;           /* into names */
    unsigned char type;      /* d_type (DT_UNKNOWN on some filesystems) */
  } *entries;
  size_t n;
};

/* Read the directory open (O_RDONLY) at dir_fd.  0 or -errno. */
int listing_read (int dir_fd, struct listing *ret);
void listing_free (struct listing *l);
static inline const char *
listing_name (const struct listing *l, size_t i)
{
  return l->names + l->entries[i].offset;
}
/* The index of name in l, or -1. */
long listing_find (const struct listing *l, const char *name);

struct dirstack
{
  struct dirstack_level
  {
    int fd;            /* -1 when closed to stay under max_open, or absent */
    bool present;      /* false: this tree has no directory at this level */
    dev_t dev;
    ino_t ino;
  } *levels;
  size_t n, cap;
  size_t n_open;       /* open fds, level 0 (the root) not counted */
  size_t max_open;
  size_t lowest_open;  /* no open fd below this level, but for level 0 */
};

void dirstack_init (struct dirstack *s, size_t max_open);
/* How many fds each of n_trees dirstacks may keep open: up to 128, less
 * when the fd limit (RLIMIT_NOFILE) is low, leaving room for the files
 * opened meanwhile; at least 2. */
size_t dirstack_budget (unsigned n_trees);
/* Push a level below the top: fd (owned from here on; -1 when this tree
 * has no directory there).  A present level's parent must be present:
 * a tree cannot have a directory below one it lacks.  0 or -errno. */
int dirstack_push (struct dirstack *s, int fd);
/* Give level i, absent so far (its parent present, the levels below it
 * absent), the directory fd (owned from here on): the directory was
 * made meanwhile.  0 or -errno. */
int dirstack_fill (struct dirstack *s, size_t i, int fd);
/* Level i's fd: -1 when absent or closed to stay under max_open. */
int dirstack_fd (const struct dirstack *s, size_t i);
/* The top level's fd, -1 when absent.  Never closed while on top. */
int dirstack_top (const struct dirstack *s);
/* Leave the top level.  The new top is reopened (O_PATH) through the
 * old top's ".." when it had been closed: -ESTALE when that is no longer
 * the directory it was (moved meanwhile), or -errno. */
int dirstack_pop (struct dirstack *s);
void dirstack_free (struct dirstack *s);
