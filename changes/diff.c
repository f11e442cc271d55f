/* SPDX-License-Identifier: LGPL-2.0-or-later
 * changes/diff.c: `bwrap-changes diff`: every change of a regular file
 * or a symlink as a git-style unified diff with a/PATH and b/PATH names,
 * which `patch -p1` applies in TARGET: "new file mode" / "deleted file
 * mode" / "old mode" + "new mode" headers (so empty files and mode
 * changes come through), a symlink as its target without a newline
 * (mode 120000), and for binary content the one line diffutils prints,
 * "Binary files a/PATH and b/PATH differ".  The hunks come from
 * diffutils' diff, run on the two files we opened ourselves (no path
 * of the upper is handed to it, so it follows no symlink there).
 * Directories, fifos, sockets and devices have no diff form: status
 * lists them.  Runs in bwrap-changes' process with the caller's rights,
 * and its diff children the same; reads only. */
#include "commands.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fsops.h"

/* One side of a file diff: an fd to give diff, or none (/dev/null). */
struct side
{
  int fd;            /* -1: /dev/null */
  mode_t mode;       /* type and bits, 0 when none */
};

/* "100644" and the like: git's way of writing a mode. */
static void
add_mode (struct sbuf *b, mode_t mode)
{
  sbuf_addf (b, "%06o", (unsigned) (S_ISLNK (mode) ? S_IFLNK : (mode & (S_IFMT | 07777))));
}

/* "a/PATH" (or b/), quoted as status quotes a path: GNU patch reads
 * C-quoted names, and a name with a space must be quoted for it. */
static char *
label (const char *prefix, const char *path)
{
  cleanup_free char *plain = strconcat (prefix, path);
  return text_quoted (plain);
}

static bool
can_show (mode_t mode)
{
  return S_ISREG (mode) || S_ISLNK (mode);
}

/* An fd with what diff should read for the entry name in dir_fd: the
 * file itself, or a symlink's target in a memory file. */
static int
open_side (int dir_fd, const char *name, mode_t mode)
{
  char target[PATH_MAX];
  ssize_t n;
  int fd, r;

  if (S_ISREG (mode))
    return fsops_open (dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY, 0);
  n = readlinkat (dir_fd, name, target, sizeof target);
  if (n < 0)
    return -errno;
  fd = memfd_create ("bwrap-changes-link", MFD_CLOEXEC);
  if (fd < 0)
    return -errno;
  r = write_all (fd, target, n);
  if (r == 0 && lseek (fd, 0, SEEK_SET) != 0)
    r = -errno;
  if (r < 0)
    {
      (void) close (fd);
      return r;
    }
  return fd;
}

/* Run diff -u on the two sides, its output going to our stdout.  0, or
 * -errno / -EIO when diff had trouble. */
static int
run_diff (const struct side *old, const struct side *new, const char *old_label,
          const char *new_label)
{
  char old_path[32] = "/dev/null", new_path[32] = "/dev/null";
  int status;
  pid_t pid;

  if (old->fd >= 0)
    snprintf (old_path, sizeof old_path, "/dev/fd/3");
  if (new->fd >= 0)
    snprintf (new_path, sizeof new_path, "/dev/fd/4");
  pid = fork ();
  if (pid < 0)
    return -errno;
  if (pid == 0)
    {
      /* dup2 clears close-on-exec on the copy: diff inherits 3 and 4. */
      if ((old->fd >= 0 && dup2 (old->fd, 3) != 3) || (new->fd >= 0 && dup2 (new->fd, 4) != 4))
        _exit (127);
      execlp ("diff", "diff", "-u", "--label", old_label, "--label", new_label,
              old_path, new_path, (char *) NULL);
      _exit (127);
    }
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return -errno;
  if (WIFEXITED (status) && WEXITSTATUS (status) == 127)
    return -ENOENT;   /* no diff program to run */
  /* 0: the same bytes (a mode change alone), 1: differences. */
  return WIFEXITED (status) && WEXITSTATUS (status) <= 1 ? 0 : -EIO;
}

/* The header and hunks of one file pair (either side may be absent). */
static int
show_pair (struct sbuf *out, const char *path, const struct side *old, const struct side *new)
{
  cleanup_free char *a = label ("a/", path);
  cleanup_free char *b = label ("b/", path);
  int r;

  sbuf_addf (out, "diff --git %s %s\n", a, b);
  if (old->mode == 0)
    {
      sbuf_adds (out, "new file mode ");
      add_mode (out, new->mode);
      sbuf_addc (out, '\n');
    }
  else if (new->mode == 0)
    {
      sbuf_adds (out, "deleted file mode ");
      add_mode (out, old->mode);
      sbuf_addc (out, '\n');
    }
  else if ((old->mode & 07777) != (new->mode & 07777) && !S_ISLNK (new->mode))
    {
      sbuf_adds (out, "old mode ");
      add_mode (out, old->mode);
      sbuf_adds (out, "\nnew mode ");
      add_mode (out, new->mode);
      sbuf_addc (out, '\n');
    }
  /* Our lines first, then diff's, on the same stdout. */
  r = changes_flush (out);
  if (r < 0)
    return r;
  return run_diff (old, new, old->mode ? a : "/dev/null", new->mode ? b : "/dev/null");
}

static int
show_change (struct sbuf *out, const struct change *c, int up, int tg,
             const struct changes_args *args, struct bwrap_error *err)
{
  struct side old = { -1, 0 }, new = { -1, 0 };
  const char *slash = strrchr (c->path, '/');
  const char *name = slash ? slash + 1 : c->path;
  cleanup_free char *dir = slash ? strndup (c->path, slash - c->path) : xstrdup ("");
  cleanup_fd int up_dir = -1;
  cleanup_fd int tg_dir = -1;
  int r = 0;

  (void) args;   /* diff has no option of its own */
  if (c->kind != CHANGE_ADDED && can_show (c->old_mode))
    old.mode = c->old_mode;
  if (c->kind != CHANGE_DELETED && can_show (c->st.st_mode))
    new.mode = c->st.st_mode;
  /* Nothing to show (a directory, a fifo), or no byte changed: a time,
   * or the owner, which a patch cannot carry. */
  if ((old.mode == 0 && new.mode == 0)
      || (c->kind == CHANGE_MODIFIED && !(c->what & (WHAT_CONTENT | WHAT_TARGET | WHAT_MODE))))
    return 0;
  if (old.mode != 0)
    {
      tg_dir = fsops_open (tg, dir, O_PATH | O_DIRECTORY, 0);
      old.fd = tg_dir < 0 ? tg_dir : open_side (tg_dir, name, old.mode);
      r = old.fd;
    }
  if (r >= 0 && new.mode != 0)
    {
      up_dir = fsops_open (up, dir, O_PATH | O_DIRECTORY, 0);
      new.fd = up_dir < 0 ? up_dir : open_side (up_dir, name, new.mode);
      r = new.fd;
    }
  /* A type change of two kinds a diff shows (file and symlink) is a
   * deletion and a creation, as git writes it. */
  if (r >= 0 && c->kind == CHANGE_TYPE_CHANGED && old.mode != 0 && new.mode != 0)
    {
      struct side none = { -1, 0 };
      r = show_pair (out, c->path, &old, &none);
      if (r == 0)
        r = show_pair (out, c->path, &none, &new);
    }
  else if (r >= 0)
    r = show_pair (out, c->path, &old, &new);
  if (old.fd >= 0)
    (void) close (old.fd);
  if (new.fd >= 0)
    (void) close (new.fd);
  if (r == -EIO)
    return walk_error (err, 0, c->path, "diff failed");
  return r < 0 ? walk_error (err, -r, c->path, "%s", "") : 0;
}

int
changes_diff (const struct changes_args *a)
{
  return changes_print (a, show_change);
}
