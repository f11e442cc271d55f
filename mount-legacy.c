/* SPDX-License-Identifier: LGPL-2.0-or-later
 * mount-legacy.c: mount(2) stand-ins for the new mount API (see
 * mount-legacy.h).  Runs in the sandbox setup process with its user
 * namespace's capabilities, or in setuid mode's privileged peer with
 * CAP_SYS_ADMIN, on fds the unprivileged setup process opened.
 *
 * Why this is as safe as open_tree/move_mount/mount_setattr:
 *   - the source and target of every mount(2) are "<proc>/self/fd/N":
 *     the kernel follows that magic link to exactly the object behind the
 *     fd, so no path is looked up again;
 *   - after the bind, the new mounts are found by mount id (mountinfo
 *     before and after); each is reached by plain lookups of its mount
 *     point below the new top (no symlink, no ".."), and used only if its
 *     fd's mount id is the expected one;
 *   - a mount not reached keeps its flags only for a reason the table's
 *     structure shows and the kernel confirms: covered by a mount stacked
 *     on its root (the walk's last lookup went down through it), inside a
 *     covered one, a FUSE mount admitting only another user or inside
 *     one (EACCES only), or unmounted meanwhile.  Anything else (a
 *     directory renamed meanwhile, a refusal its owner could lift later,
 *     two mounts shown at one path without being stacked) fails the run
 *     naming the mount: a rename can make the run fail, never leave a
 *     mount without its flags;
 *   - remounts add flags to each mount's own (from mountinfo; a word we
 *     do not know fails the run rather than be dropped), never clear one,
 *     like mount_setattr's attr_set.
 * The differences: the tree is visible (at a place only this namespace
 * sees, before the command runs) for a moment before its flags are set;
 * and a covered mount keeps its own flags, so if what covers it goes
 * away later (an unmount propagated from the host) it shows as it is on
 * the host, as in bubblewrap, where mount_setattr would have set them. */
#include "mount-legacy.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "bind-mount.h"
#include "mount-legacy-table.h"
#include "utils.h"

#ifndef MS_NOSYMFOLLOW
#define MS_NOSYMFOLLOW 256   /* Linux 5.10 */
#endif
#ifndef ST_NOSYMFOLLOW
#define ST_NOSYMFOLLOW 0x2000   /* Linux 5.10 */
#endif

/* The caller's procfs: at /oldroot/proc while the sandbox is set up, at
 * /proc before (unit tests). */
static const char *
proc_dir (void)
{
  return access (MOUNT_LEGACY_PROC "/self", F_OK) == 0 ? MOUNT_LEGACY_PROC : "/proc";
}

static char *
fd_path (int fd)
{
  return xasprintf ("%s/self/fd/%d", proc_dir (), fd);
}

/* The mount id of the mount fd lies on (fdinfo: Linux 3.15). */
static int
fd_mnt_id (int fd, int *ret_id)
{
  cleanup_free char *path = xasprintf ("%s/self/fdinfo/%d", proc_dir (), fd);
  cleanup_fd int info = open (path, O_RDONLY | O_CLOEXEC);
  cleanup_free char *text = NULL;
  const char *line;
  size_t len;
  int r;

  if (info < 0)
    return -errno;
  r = read_fd_all (info, 4096, &text, &len);
  if (r < 0)
    return r;
  line = strstr (text, "mnt_id:");
  if (line == NULL || sscanf (line, "mnt_id: %d", ret_id) != 1)
    return -ENOTSUP;
  return 0;
}

/* ---- the mount table ---------------------------------------------------- */

static int
read_self (const char *name, char **ret_text)
{
  cleanup_free char *path = xasprintf ("%s/self/%s", proc_dir (), name);
  cleanup_fd int fd = open (path, O_RDONLY | O_CLOEXEC);
  size_t len;

  if (fd < 0)
    return -errno;
  return read_fd_all (fd, 64 << 20, ret_text, &len);
}

static int
mount_table_read (struct mount_table *t)
{
  cleanup_free char *text = NULL;
  int r = read_self ("mountinfo", &text);

  return r < 0 ? r : mount_table_parse (text, t);
}

/* Whether the mount with this id is still in our namespace. */
static int
mount_is_gone (int id)
{
  struct mount_table now = { 0 };
  int r = mount_table_read (&now);

  if (r == 0)
    r = mount_table_find (&now, id) < 0;
  mount_table_clear (&now);
  return r;
}

/* Our uid and gid in the user namespace above ours (the one FUSE mounts
 * made outside print their owner in): uid_map/gid_map of our own
 * process show exactly that. */
static int
outside_ids (unsigned *ret_uid, unsigned *ret_gid)
{
  cleanup_free char *uid_map = NULL, *gid_map = NULL;
  int r = read_self ("uid_map", &uid_map);

  if (r == 0)
    r = read_self ("gid_map", &gid_map);
  if (r == 0)
    r = mount_id_map_outside (uid_map, getuid (), ret_uid);
  if (r == 0)
    r = mount_id_map_outside (gid_map, getgid (), ret_gid);
  return r;
}

/* ---- remounts ----------------------------------------------------------- */

/* fd's mount flags (statvfs) as MS_* bits, for a mount not in a table. */
static int
current_flags (int fd, unsigned long *ret)
{
  struct statvfs sv;
  unsigned long f = 0;

  if (fstatvfs (fd, &sv) != 0)
    return -errno;
  if (sv.f_flag & ST_RDONLY) f |= MS_RDONLY;
  if (sv.f_flag & ST_NOSUID) f |= MS_NOSUID;
  if (sv.f_flag & ST_NODEV) f |= MS_NODEV;
  if (sv.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
  if (sv.f_flag & ST_NOATIME) f |= MS_NOATIME;
  if (sv.f_flag & ST_NODIRATIME) f |= MS_NODIRATIME;
  if (sv.f_flag & ST_RELATIME) f |= MS_RELATIME;
  if (sv.f_flag & ST_NOSYMFOLLOW) f |= MS_NOSYMFOLLOW;
  *ret = f;
  return 0;
}

/* Remount the mount rooted at fd with flags (its current ones) plus add
 * (MS_BIND|MS_REMOUNT: per-mount flags only, the filesystem is
 * untouched). */
static int
remount_adding (int fd, unsigned long flags, unsigned long add)
{
  cleanup_free char *path = fd_path (fd);

  /* Neither noatime nor relatime: strictatime, which mount(2) would
   * otherwise turn into its relatime default (and a user namespace
   * refuses changing a locked atime setting). */
  if (!(flags & (MS_NOATIME | MS_RELATIME)))
    flags |= MS_STRICTATIME;
  if (mount (NULL, path, NULL, MS_BIND | MS_REMOUNT | flags | add, NULL) != 0)
    return -errno;
  return 0;
}

/* Remount entry e (reached as fd) with its own flags plus add.  0, or
 * -errno with err filled; what names the mount is the caller's. */
static int
remount_entry (int fd, const struct mount_entry *e, unsigned long add, const char *what,
               struct bwrap_error *err)
{
  cleanup_free char *unknown = NULL;
  unsigned long flags;
  int r = mount_options_to_flags (e->options, &flags, &unknown);

  if (r < 0)
    {
      (void) bwrap_error_set (err, 0, "%s: unknown per-mount option \"%s\" in mountinfo",
                              what, unknown);
      return r;
    }
  r = remount_adding (fd, flags, add);
  if (r < 0)
    (void) bwrap_error_set (err, -r, "%s", what);
  return r;
}

static unsigned long
bind_ms_flags (unsigned flags)
{
  unsigned long add = MS_NOSUID;

  if (!(flags & BIND_DEVICES))
    add |= MS_NODEV;
  if (flags & BIND_READONLY)
    add |= MS_RDONLY;
  return add;
}

/* The entry's mount point relative to the top mount's, or NULL when it is
 * not below it. */
static const char *
below (const char *mount_point, const char *top)
{
  size_t n = strlen (top);

  if (strcmp (top, "/") == 0)
    return mount_point + 1;
  if (strncmp (mount_point, top, n) != 0 || (mount_point[n] != '/' && mount_point[n] != '\0'))
    return NULL;
  return mount_point + n + (mount_point[n] == '/');
}

/* Open a mount point as mountinfo shows it, relative to dir_fd, by one
 * plain lookup per component (O_PATH | O_NOFOLLOW, O_DIRECTORY on the
 * way).  Such a path is canonical: a symlink, "." or ".." on it means the
 * tree changed since mountinfo was read, and following it, even confined
 * to the tree as resolve_walk_open would, could lead the walk elsewhere,
 * to a directory whose refusal would then be taken for the mount's.  The
 * walk only goes down, so it never leaves dir_fd's tree.  An fd or
 * -errno; *ret_last_dir (the caller closes it) is the directory the last
 * name was looked up in, when there was one. */
static int
open_mount_point (int dir_fd, const char *path, int *ret_last_dir)
{
  cleanup_free char *copy = xstrdup (path);
  cleanup_fd int cur = openat (dir_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  char *save = NULL;

  *ret_last_dir = -1;
  if (cur < 0)
    return -errno;
  for (char *comp = strtok_r (copy, "/", &save); comp != NULL;)
    {
      char *next = strtok_r (NULL, "/", &save);
      int fd;
      if (strcmp (comp, ".") == 0 || strcmp (comp, "..") == 0)
        return -EINVAL;
      fd = openat (cur, comp, O_PATH | O_NOFOLLOW | O_CLOEXEC | (next != NULL ? O_DIRECTORY : 0));
      if (fd < 0)
        return -errno;
      if (next == NULL)
        {
          *ret_last_dir = steal_fd (&cur);
          return fd;
        }
      close (cur);
      cur = fd;
      comp = next;
    }
  return steal_fd (&cur);
}

/* One recursive remount: the new tree in the table after the bind, and
 * what became of each of its mounts. */
struct remount_run
{
  const struct mount_table *t;
  size_t top;
  int top_fd;
  unsigned long add;
  bool *in_tree;
  bool *reached;        /* remounted through an fd on its own root */
  ssize_t *cover;       /* covered: the mount stacked on its root */
  bool have_ids;
  unsigned uid, gid;    /* ours, outside (for FUSE owners) */
};

/* The walk to entry e landed on mount landed_id, its last name looked up
 * in last_dir.  e is covered when the table has that mount stacked on
 * e's root and the kernel agrees: a lookup of one name goes from the
 * directory's mount down through the mounts stacked at that name, each
 * on the root of the one before but the first, so if last_dir's mount is
 * above e and the landing one below, e is one of them and the next sits
 * on its root.  Parents of our own namespace's mounts do not change
 * under renames, so this holds as long as the stack does (for files as
 * for directories, and whoever may search the top).  The mount stacked
 * on e's root, or -1. */
static ssize_t
covering_child (const struct remount_run *run, size_t e, int last_dir, int landed_id)
{
  ssize_t landed = mount_table_find (run->t, landed_id);
  int dir_id;

  if (landed < 0 || !mount_table_is_stacked (run->t, (size_t) landed, e)
      || last_dir < 0 || fd_mnt_id (last_dir, &dir_id) < 0
      || !mount_table_is_ancestor (run->t, dir_id, e))
    return -1;
  return mount_table_child_toward (run->t, (size_t) landed, run->t->entries[e].id);
}

/* Whether entry e lies inside (not stacked on the root of) a mount of the
 * tree found covered: nothing can reach it then, the sandbox no more
 * than we. */
static bool
is_hidden (const struct remount_run *run, size_t e)
{
  for (size_t a = 0; a < run->t->n; a++)
    if (run->in_tree[a] && run->cover[a] >= 0
        && mount_table_is_ancestor (run->t, run->t->entries[a].id, e)
        && mount_table_child_toward (run->t, e, run->t->entries[a].id) != run->cover[a])
      return true;
  return false;
}

/* A walk refused with EACCES on the way to entry e.  Skipping is safe
 * only where the command, which has our kernel ids and no capability we
 * lack, can never use e either: e is a FUSE mount admitting only another
 * user, or lies inside one we reached (reached: nothing was stacked on
 * its root, so every path to e makes a lookup in it).  The kernel checks
 * that owner before the daemon is asked, for as long as the mount
 * exists.  Any other refusal (a directory's mode, a security module, a
 * network filesystem or a FUSE daemon answering EACCES) can be lifted
 * after the setup by whoever owns it, and fails the run. */
static bool
is_out_of_reach (struct remount_run *run, size_t e)
{
  const struct mount_table *t = run->t;

  if (!run->have_ids)
    run->have_ids = outside_ids (&run->uid, &run->gid) == 0;
  if (!run->have_ids)
    return false;
  if (mount_entry_is_foreign_fuse (&t->entries[e], run->uid, run->gid))
    return true;
  for (size_t a = 0; a < t->n; a++)
    if (run->in_tree[a] && run->reached[a]
        && mount_entry_is_foreign_fuse (&t->entries[a], run->uid, run->gid)
        && mount_table_is_ancestor (t, t->entries[a].id, e))
      return true;
  return false;
}

/* Remount entry e of the new tree, or establish that it needs none:
 * covered, hidden below a covered mount, out of reach, or gone.  Any
 * other failure to reach a mount still in the table fails the run.  0
 * or -errno with err filled. */
static int
remount_submount (struct remount_run *run, size_t e, struct bwrap_error *err)
{
  const struct mount_entry *entry = &run->t->entries[e];
  const char *rel = below (entry->mount_point, run->t->entries[run->top].mount_point);
  cleanup_free char *what = xasprintf ("Unable to apply mount flags: remount \"%s\"",
                                       entry->mount_point);
  cleanup_fd int last_dir = -1;
  cleanup_fd int fd = rel == NULL ? -ESTALE : open_mount_point (run->top_fd, rel, &last_dir);
  int id = -1, r = fd < 0 ? fd : fd_mnt_id (fd, &id);

  if (fd >= 0 && r < 0)
    return bwrap_error_set (err, -r, "%s: reading its mount id", what);
  if (r == 0 && id == entry->id)
    {
      r = remount_entry (fd, entry, run->add, what, err);
      run->reached[e] = r == 0;
      return r;
    }
  if (r == 0)
    run->cover[e] = covering_child (run, e, last_dir, id);
  if (run->cover[e] >= 0 || is_hidden (run, e) || (r == -EACCES && is_out_of_reach (run, e)))
    return 0;
  /* Unmounted meanwhile (a mount event propagated from the host):
   * nothing left to protect. */
  r = mount_is_gone (entry->id);
  if (r < 0)
    return bwrap_error_set (err, -r, "%s: reading mountinfo", what);
  if (r > 0)
    return 0;
  if (fd >= 0 || rel == NULL)
    {
      (void) bwrap_error_set (err, 0, "%s: its path leads elsewhere now "
                              "(a directory on it was renamed)", what);
      return -ESTALE;
    }
  return bwrap_error_set (err, -fd, "%s", what);
}

/* Remount every mount below the top (not the top itself), parents
 * first: a mount's status can depend on its ancestors'. */
static int
remount_descendants (struct remount_run *run, struct bwrap_error *err)
{
  const struct mount_table *t = run->t;
  cleanup_free bool *done = xcalloc (t->n, sizeof (bool));
  bool progress = true;

  done[run->top] = true;
  while (progress)
    {
      progress = false;
      for (size_t i = 0; i < t->n; i++)
        {
          ssize_t parent = mount_table_find (t, t->entries[i].parent);
          int r;
          if (!run->in_tree[i] || done[i] || parent < 0 || !done[parent])
            continue;
          done[i] = progress = true;
          r = remount_submount (run, i, err);
          if (r < 0)
            return r;
        }
    }
  return 0;
}

/* The new top mount: not there before, stacked on dest's mount.  Only
 * this process mounts here, so exactly one.  Its index, or -1. */
static ssize_t
find_new_top (const struct mount_table *before, const struct mount_table *after, int dest_id)
{
  ssize_t top = -1;

  for (size_t i = 0; i < after->n; i++)
    if (after->entries[i].parent == dest_id
        && mount_table_find (before, after->entries[i].id) < 0)
      {
        if (top >= 0)
          return -1;
        top = (ssize_t) i;
      }
  return top;
}

/* Flags for the new tree of the bind: after.  0 or -errno, err filled. */
static int
remount_tree (const struct mount_table *after, size_t top, unsigned long add,
              struct bwrap_error *err)
{
  const struct mount_entry *top_entry = &after->entries[top];
  cleanup_free bool *in_tree = xcalloc (after->n, sizeof (bool));
  cleanup_free bool *reached = xcalloc (after->n, sizeof (bool));
  cleanup_free ssize_t *cover = xmalloc (after->n * sizeof (ssize_t));
  cleanup_free char *what = xasprintf ("Unable to remount destination \"%s\" with correct flags",
                                       top_entry->mount_point);
  cleanup_fd int root_fd = -1, top_fd = -1, last_dir = -1;
  struct remount_run run = {
    .t = after, .top = top, .top_fd = -1, .add = add,
    .in_tree = in_tree, .reached = reached, .cover = cover,
  };
  ssize_t twin;
  int top_id, r;

  for (size_t i = 0; i < after->n; i++)
    cover[i] = -1;
  mount_table_mark_tree (after, top_entry->id, in_tree);
  twin = mount_table_unstacked_twin (after, in_tree);
  if (twin >= 0)
    {
      (void) bwrap_error_set (err, 0, "Unable to apply mount flags: remount \"%s\": "
                              "another mount showed the same path (a directory was "
                              "renamed while the mount table was read)",
                              after->entries[twin].mount_point);
      return -ESTALE;
    }
  root_fd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  top_fd = root_fd < 0 ? -errno : open_mount_point (root_fd, top_entry->mount_point, &last_dir);
  r = top_fd < 0 ? top_fd : fd_mnt_id (top_fd, &top_id);
  if (r == 0 && top_id != top_entry->id)
    r = -ESTALE;   /* a path on the way changed: do not guess */
  if (r < 0)
    return bwrap_error_set (err, -r, "%s", what);
  r = remount_entry (top_fd, top_entry, add, what, err);
  if (r < 0)
    return r;
  reached[top] = true;
  run.top_fd = top_fd;
  return remount_descendants (&run, err);
}

int
mount_legacy_bind (int src_fd, int dest_fd, unsigned flags, struct bwrap_error *err)
{
  cleanup_free char *src = fd_path (src_fd), *dest = fd_path (dest_fd);
  struct mount_table before = { 0 }, after = { 0 };
  ssize_t top;
  int dest_id, r;

  r = fd_mnt_id (dest_fd, &dest_id);
  if (r == 0)
    r = mount_table_read (&before);
  if (r < 0)
    goto out;
  /* Both paths are magic links: the kernel binds exactly the objects
   * behind src_fd and dest_fd. */
  if (mount (src, dest, NULL, MS_BIND | MS_REC, NULL) != 0)
    {
      r = -errno;
      goto out;
    }
  r = mount_table_read (&after);
  if (r < 0)
    goto out;
  top = find_new_top (&before, &after, dest_id);
  r = top < 0 ? -EBUSY : remount_tree (&after, (size_t) top, bind_ms_flags (flags), err);
out:
  mount_table_clear (&before);
  mount_table_clear (&after);
  return r;
}

int
mount_legacy_set_readonly (int fd)
{
  unsigned long flags = 0;
  int r = current_flags (fd, &flags);

  return r < 0 ? r : remount_adding (fd, flags, MS_RDONLY | MS_NOSUID | MS_NODEV);
}

int
mount_legacy_is_mount_root (int fd)
{
  cleanup_fd int parent = openat (fd, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
  int id, parent_id, r;

  if (parent < 0)
    return -errno;
  r = fd_mnt_id (fd, &id);
  if (r == 0)
    r = fd_mnt_id (parent, &parent_id);
  return r < 0 ? r : id != parent_id;
}

int
mount_legacy_new_fs (const char *fstype, const char *const *config, unsigned attrs,
                     int dest_fd)
{
  cleanup_free char *dest = fd_path (dest_fd);
  cleanup_free char *options = xstrdup ("");
  const char *source = fstype;
  unsigned long flags = 0;

  for (size_t i = 0; config != NULL && config[i] != NULL; i += 2)
    {
      const char *key = config[i], *value = config[i + 1];
      char *next;
      if (strcmp (key, "source") == 0 && value != NULL)
        {
          source = value;
          continue;
        }
      /* An SELinux context holds ',' and ':': quote it, as the mount
       * option parser expects. */
      if (value == NULL)
        next = xasprintf ("%s%s%s", options, *options ? "," : "", key);
      else if (strcmp (key, "context") == 0)
        next = xasprintf ("%s%s%s=\"%s\"", options, *options ? "," : "", key, value);
      else
        next = xasprintf ("%s%s%s=%s", options, *options ? "," : "", key, value);
      free (options);
      options = next;
    }
  if (attrs & MOUNT_ATTR_RDONLY) flags |= MS_RDONLY;
  if (attrs & MOUNT_ATTR_NOSUID) flags |= MS_NOSUID;
  if (attrs & MOUNT_ATTR_NODEV) flags |= MS_NODEV;
  if (attrs & MOUNT_ATTR_NOEXEC) flags |= MS_NOEXEC;
  if (mount (source, dest, fstype, flags, *options ? options : NULL) != 0)
    return -errno;
  return 0;
}
