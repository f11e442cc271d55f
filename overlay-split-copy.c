/* SPDX-License-Identifier: LGPL-2.0-or-later
 * overlay-split-copy.c: keep the files of a recreated directory writable
 * (overlay-split-copy.h).  Runs in the sandbox process inside the
 * new user + mount namespace, with that namespace's capabilities: it
 * reads host files only through the fd the split already opened below the
 * caller's old root (reopened through /proc/self/fd, so the permission
 * check is the kernel's, made with the namespace's ids: a file the
 * caller cannot read cannot be copied), and writes only to the stub on
 * the split's private tmpfs.
 *
 * Why copies, and why there (issue 27): a directory with a mount below it
 * is recreated from its entries (overlay-split.h), and overlayfs cannot
 * take the host directory as a lower layer (its mounts are locked in a
 * user namespace), so its files were read-only binds: "Read-only file
 * system" on write, "Device or resource busy" on rm.  A copy in the stub,
 * which is the lower of the skeleton's own overlay, is an ordinary lower
 * file: a change copies it up into the upper (RWSRC at its path, or the
 * private upper of --tmp-overlay) like every other change, and a file
 * left alone leaves no trace there.  A reflink would avoid the copy, but
 * the stub is on tmpfs, which has none, and putting the files in the
 * upper instead (where RWSRC's filesystem might reflink) would make every
 * one of them look changed.  Files of an owner the user namespace does
 * not map become the caller's, with the caller's rights on the host as
 * owner bits (split_copy_attrs), which is what makes them changeable.
 *
 * The bound: SPLIT_COPY_BUDGET bytes per overlay op, all directories
 * together, counted on the host sizes; a file that does not fit in what
 * is left stays a read-only bind, and one warning line per directory
 * names it.  Measured on a 2-core VM with a load average of 7-9
 * (medians of 30 interleaved starts): a home directory of 1,000 small
 * dotfiles beside a FUSE mount adds about 24 ms (25 us a file; the
 * read-only binds they were cost more), one 15 MiB file 12-28 ms (about
 * 1 ms per MiB), so a full budget costs about as much as a whole plain
 * start; the copies also take that much memory for the sandbox's
 * lifetime (the private tmpfs, bounded by --size for --tmp-overlay). */
#include "overlay-split-copy.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>

/* Whether the caller may write host file st (lstat, in dir_fd as name)
 * on the host, seen from the setup process's user namespace. */
static bool
caller_may_write (int dir_fd, const char *name, const struct stat *st,
                  const struct split_owners *owners)
{
  if (!owners->has_userns)
    return true;            /* real root: every file */
  if (st->st_uid == owners->overflow)
    return split_caller_access (dir_fd, name, st) & 2;
  return st->st_mode & S_IWUSR;   /* the only mapped owner is the caller */
}

static void
keep (struct split_copy *copy, const char *name)
{
  if (copy->n_kept++ == 0)
    copy->first_kept = xstrdup (name);
}

/* Copy the first size bytes of in_fd (its size when it was looked at)
 * into out_fd: sendfile (no bounce through our memory), or read and write
 * where it is refused.  A file that grows meanwhile is not followed, so
 * a writer appending on the host cannot keep the copy (and the budget)
 * going. */
static int
copy_data (int in_fd, int out_fd, off_t size)
{
  char buf[65536];
  off_t done = 0;

  while (done < size)
    {
      ssize_t n = sendfile (out_fd, in_fd, NULL, (size_t) (size - done));
      if (n < 0 && (errno == EINVAL || errno == ENOSYS))
        break;
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -errno;
      if (n == 0)
        return 0;   /* shrank meanwhile: what is there is copied */
      done += n;
    }
  while (done < size)
    {
      size_t want = (size_t) (size - done) < sizeof buf ? (size_t) (size - done) : sizeof buf;
      ssize_t n = read (in_fd, buf, want);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return n < 0 ? -errno : 0;
      int r = write_all (out_fd, buf, (size_t) n);
      if (r < 0)
        return r;
      done += n;
    }
  return 0;
}

int
split_copy_file (int stub_dir, const char *name, int host_fd, const struct stat *st,
                 const char *proc_fd_dir, const struct split_owners *owners,
                 struct split_copy *copy)
{
  cleanup_free char *path = xasprintf ("%s/%d", proc_fd_dir, host_fd);
  cleanup_fd int in = -1, out = -1;
  struct stat now;
  int r;

  if (!S_ISREG (st->st_mode))
    return 0;
  if ((uint64_t) st->st_size > copy->left)
    {
      if (caller_may_write (host_fd, "", st, owners))
        keep (copy, name);
      return 0;
    }
  /* O_NONBLOCK: should it be a FIFO by now, the open must not wait; the
   * fstat below makes sure it is still the file the split saw. */
  in = open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (in < 0 || fstat (in, &now) != 0 || now.st_ino != st->st_ino || now.st_dev != st->st_dev)
    {
      /* Unreadable for the caller (or replaced meanwhile): bound as it is. */
      if (caller_may_write (host_fd, "", st, owners))
        keep (copy, name);
      return 0;
    }
  out = openat (stub_dir, name, O_WRONLY | O_TRUNC | O_NOFOLLOW | O_CLOEXEC);
  if (out < 0)
    return -errno;
  r = copy_data (in, out, now.st_size);
  if (r < 0)
    return r;
  copy->left -= (uint64_t) now.st_size < copy->left ? (uint64_t) now.st_size : copy->left;
  /* The host file's times, so that tools comparing them (make, rsync)
   * see the file unchanged; ignored on failure. */
  struct timespec times[2] = { now.st_atim, now.st_mtim };
  (void) futimens (out, times);
  /* Writing drops set-id bits; put them back (ignored on failure). */
  if (st->st_mode & (S_ISUID | S_ISGID))
    split_copy_attrs (stub_dir, name, st, host_fd, proc_fd_dir);
  return 1;
}

void
split_copy_warn (struct split_copy *copy, const char *host_dir, const char *dest_dir)
{
  if (copy->n_kept > 0)
    warn_msg ("warning: %s is on the path to a mount, so bwrap copies its files to keep them "
              "writable, up to %u MiB in all; %zu of them (%s%s) did not fit or could not be "
              "read: read-only in %s", host_dir, SPLIT_COPY_BUDGET >> 20, copy->n_kept,
              copy->first_kept, copy->n_kept > 1 ? ", ..." : "", dest_dir);
  free (copy->first_kept);
  copy->first_kept = NULL;
  copy->n_kept = 0;
}
