/* SPDX-License-Identifier: LGPL-2.0-or-later
 * changes/entry.h: what one entry of an overlay's upper directory means
 * for the host tree below it (TARGET), and which paths a command line
 * selected.  Pure: the callers stat, list and read; these functions only
 * decide.  Runs in bwrap-changes' only process, with the caller's rights.
 *
 * The model: overlayfs shows the upper entry where there is one, and the
 * lower (TARGET's) entry otherwise; a whiteout hides the lower entry; an
 * opaque directory hides every lower entry below it; an upper directory
 * over a lower one that is not opaque shows both directories' entries.
 * A change is a path where what the sandbox saw differs from TARGET. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "utils.h"

enum change_kind
{
  CHANGE_NONE,
  CHANGE_ADDED,          /* A: TARGET has nothing there */
  CHANGE_MODIFIED,       /* M: same type, other content or metadata */
  CHANGE_DELETED,        /* D: TARGET's entry is gone */
  CHANGE_TYPE_CHANGED,   /* T: another type (file to directory, ...) */
};

/* What differs in a CHANGE_MODIFIED entry (bits). */
enum change_what
{
  WHAT_CONTENT = 1 << 0,   /* bytes of a file, device number of a device */
  WHAT_MODE = 1 << 1,      /* permission bits (07777) */
  WHAT_OWNER = 1 << 2,     /* uid or gid: compared only when asked */
  WHAT_TARGET = 1 << 3,    /* a symlink's target */
  WHAT_TIME = 1 << 4,      /* modification time: only with --times */
};

/* One change, as status, diff and apply report it. */
struct change
{
  const char *path;        /* relative to TARGET, "a/b" */
  enum change_kind kind;
  unsigned what;           /* CHANGE_MODIFIED: WHAT_ bits */
  struct stat st;          /* the entry the sandbox left (D: TARGET's) */
  mode_t old_mode;         /* TARGET's type and mode bits (A: 0) */
};

/* The letter `status` prints: 'A', 'M', 'D', 'T' (' ' for none). */
char change_letter (enum change_kind kind);
/* "added", "modified", "deleted", "type-changed" (JSON). */
const char *change_name (enum change_kind kind);
/* "content", "mode", "owner", "target", "time" for one WHAT_ bit. */
const char *change_what_name (unsigned bit);
/* "file", "directory", "symlink", "fifo", "socket", "char-device",
 * "block-device" for a stat mode. */
const char *entry_type_name (mode_t mode);

/* What the overlay's extended attributes (user.overlay.* as bwrap and
 * unprivileged overlays write them, trusted.overlay.* as a privileged
 * one does) say about an upper entry (bits). */
enum entry_mark
{
  MARK_OPAQUE = 1 << 0,      /* overlay.opaque present (value not checked) */
  MARK_WHITEOUT = 1 << 1,    /* overlay.whiteout present */
  MARK_ORIGIN = 1 << 2,      /* overlay.origin: it merged with a lower entry */
  MARK_REDIRECT = 1 << 3,    /* overlay.redirect: redirect_dir=on */
  MARK_METACOPY = 1 << 4,    /* overlay.metacopy: metacopy=on */
};

/* The marks named by a listxattr(2) answer (names, each NUL-terminated,
 * len bytes in all). */
unsigned entry_marks_of_xattrs (const char *names, size_t len);
/* True for the value of overlay.opaque that makes a directory opaque
 * ("y"; "x" only says the directory may hold xattr whiteouts). */
bool entry_opaque_value (const char *value, size_t len);

/* A whiteout: a character device 0/0, or an empty regular file marked
 * with overlay.whiteout. */
bool entry_is_whiteout (const struct stat *st, unsigned marks);

/* How to walk what lies below a directory pair. */
enum descend
{
  DESCEND_NONE,     /* nothing below to look at */
  DESCEND_MERGE,    /* the upper's entries, each against TARGET's */
  DESCEND_OPAQUE,   /* both sides: TARGET's entries missing above are gone */
  DESCEND_ADD,      /* the upper's entries, all new (whiteouts ignored) */
  DESCEND_DELETE,   /* TARGET's entries, all gone */
};

enum judge_flags
{
  JUDGE_TIMES = 1 << 0,    /* modification times count (--times) */
  JUDGE_OWNERS = 1 << 1,   /* owners count (running as root) */
};

struct verdict
{
  enum change_kind kind;
  unsigned what;           /* WHAT_ bits of a CHANGE_MODIFIED */
  /* Regular files of equal size, or two symlinks: the caller compares
   * the bytes or the targets, and on a difference adds WHAT_CONTENT or
   * WHAT_TARGET (and makes a CHANGE_NONE a CHANGE_MODIFIED). */
  bool compare;
  enum descend descend;
  /* Reported after the walk below: TARGET's directory must be emptied
   * first (a deleted directory, a directory that became a file). */
  bool report_after;
  /* A directory overlayfs merged with a TARGET directory during the run
   * (origin) that TARGET has removed since: added only if something
   * below it is a change; the walk reports it just before the first. */
  bool lazy;
  /* Written by an overlay with redirect_dir or metacopy, which keep
   * part of an entry in a lower layer: not readable here. */
  bool unsupported;
};

/* What the walk found out about a path besides the two lstats (bits). */
enum entry_fact
{
  FACT_OPAQUE = 1 << 0,       /* the upper directory is opaque (overlay.opaque "y") */
  FACT_EMPTY_DIR = 1 << 1,    /* the upper directory has nothing in it */
  FACT_MOUNT_ROOT = 1 << 2,   /* TARGET's entry is a mount point */
};

/* Judge one path.  upper: the upper entry's lstat, with its marks, NULL
 * when the upper has nothing there (a TARGET entry below an opaque or
 * deleted directory).  lower: TARGET's lstat, NULL when it has nothing
 * there.  facts: entry_fact bits.  flags: judge_flags.
 *
 * Some differences are bwrap's own doing, not the sandbox's, and never
 * changes: a split overlay makes a directory in the upper for each piece
 * (and for /tmp, the home directory ...), with the host's owner and mode
 * where it can; as a user it cannot give another user's directory its
 * owner, and gives it the caller's rights on the host instead (where the
 * sandbox could not have changed that directory's mode either); it
 * cannot give any of them the host's time, so an empty upper
 * directory's time is not compared; and for a file mounted over another
 * (a mount point that is not a directory) it leaves an empty file with
 * no overlay marks. */
struct verdict entry_judge (const struct stat *upper, unsigned marks, unsigned facts,
                            const struct stat *lower, unsigned flags);

/* Apply a finished comparison to a verdict that asked for one. */
void entry_verdict_differs (struct verdict *v, bool differs, const struct stat *upper);

/* ---- PATH arguments ----------------------------------------------------- */

struct selection
{
  char **paths;   /* normalised: no leading, trailing or double '/' */
  size_t n;       /* 0: everything */
};

enum selection_match
{
  SELECT_OUT,        /* neither a selected path nor on the way to one */
  SELECT_ANCESTOR,   /* a directory on the way to a selected path */
  SELECT_IN,         /* a selected path or below one */
};

/* Normalise the PATH arguments (relative to TARGET; a leading '/' is
 * allowed and means the same): "." components and repeated or trailing
 * slashes are dropped; ".." is refused.  0, or -EINVAL with err filled
 * naming the argument. */
int selection_init (struct selection *sel, char *const *args, size_t n,
                    struct bwrap_error *err);
void selection_free (struct selection *sel);
/* Where path ("" for TARGET itself, else "a/b") stands. */
enum selection_match selection_match (const struct selection *sel, const char *path);
