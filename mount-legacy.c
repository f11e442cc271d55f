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
 *     before and after), each one is reached by a walk confined to the new
 *     tree and used only if its fd's mount id is the expected one: a
 *     directory renamed meanwhile makes the run fail, never remounts
 *     something else;
 *   - remounts add flags to each mount's own (statvfs), never clear one,
 *     like mount_setattr's attr_set.
 * The difference: the tree is visible (at a place only this namespace
 * sees, before the command runs) for a moment before its flags are set. */
#include "mount-legacy.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "bind-mount.h"
#include "resolve-walk.h"
#include "utils.h"

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

/* ---- mountinfo ----------------------------------------------------------- */

struct mount_entry
{
  int id, parent;
  char *mount_point;   /* unescaped, relative to our root */
  unsigned long flags; /* per-mount options as MS_* bits */
};

struct mount_table
{
  struct mount_entry *entries;
  size_t n;
};

static void
mount_table_clear (struct mount_table *t)
{
  for (size_t i = 0; i < t->n; i++)
    free (t->entries[i].mount_point);
  free (t->entries);
  t->entries = NULL;
  t->n = 0;
}

/* mountinfo writes space, tab, newline and backslash as \ooo. */
static char *
unescape (const char *s, size_t len)
{
  char *out = xmalloc (len + 1), *o = out;

  for (size_t i = 0; i < len; i++)
    {
      if (s[i] == '\\' && i + 3 < len && s[i + 1] >= '0' && s[i + 1] <= '3'
          && s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7')
        {
          *o++ = (char) (((s[i + 1] - '0') << 6) | ((s[i + 2] - '0') << 3) | (s[i + 3] - '0'));
          i += 3;
        }
      else
        *o++ = s[i];
    }
  *o = '\0';
  return out;
}

/* Per-mount options ("ro,nosuid,relatime") as MS_* bits.  Read from
 * mountinfo, not statvfs: statvfs asks the filesystem, and another user's
 * FUSE mount refuses even root. */
static unsigned long
parse_mount_flags (const char *opts, size_t len)
{
  static const struct { const char *name; unsigned long flag; } known[] = {
    { "ro", MS_RDONLY }, { "nosuid", MS_NOSUID }, { "nodev", MS_NODEV },
    { "noexec", MS_NOEXEC }, { "noatime", MS_NOATIME },
    { "nodiratime", MS_NODIRATIME }, { "relatime", MS_RELATIME },
  };
  unsigned long f = 0;

  while (len > 0)
    {
      size_t n = strcspn (opts, ", \n");
      if (n > len)
        n = len;
      for (size_t i = 0; i < N_ELEMENTS (known); i++)
        if (strlen (known[i].name) == n && strncmp (opts, known[i].name, n) == 0)
          f |= known[i].flag;
      if (n == len || opts[n] != ',')
        break;
      opts += n + 1;
      len -= n + 1;
    }
  return f;
}

static int
mount_table_read (struct mount_table *t)
{
  cleanup_free char *path = xasprintf ("%s/self/mountinfo", proc_dir ());
  cleanup_fd int fd = open (path, O_RDONLY | O_CLOEXEC);
  cleanup_free char *text = NULL;
  size_t len;
  int r;

  if (fd < 0)
    return -errno;
  r = read_fd_all (fd, 64 << 20, &text, &len);
  if (r < 0)
    return r;
  for (char *line = text; *line != '\0';)
    {
      char *eol = strchrnul (line, '\n');
      int id, parent, off = 0;
      /* "ID PARENT MAJ:MIN ROOT MOUNT-POINT ..." */
      if (sscanf (line, "%d %d %*s %*s %n", &id, &parent, &off) == 2 && off > 0 && line + off < eol)
        {
          const char *mp = line + off;
          size_t mp_len = strcspn (mp, " \n");
          const char *opts = mp[mp_len] == ' ' ? mp + mp_len + 1 : mp + mp_len;
          struct mount_entry *e = xappend (t->entries, &t->n, sizeof *e);
          t->entries = e;
          e[t->n - 1] = (struct mount_entry) {
            id, parent, unescape (mp, mp_len),
            parse_mount_flags (opts, strcspn (opts, " \n")),
          };
        }
      line = *eol ? eol + 1 : eol;
    }
  return 0;
}

static bool
mount_table_has (const struct mount_table *t, int id)
{
  for (size_t i = 0; i < t->n; i++)
    if (t->entries[i].id == id)
      return true;
  return false;
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

/* Open the mount e below the tree rooted at top_fd (mount point top_mp)
 * and check it is that very mount.  Returns the fd, -ENOENT when e is
 * covered by a later mount on the same mount point (the sandbox can
 * never reach it), or -errno. */
static int
open_mount (int top_fd, const char *top_mp, const struct mount_entry *e,
            const struct mount_table *t)
{
  const char *rel = below (e->mount_point, top_mp);
  int fd, id, r;

  if (rel == NULL)
    return -EBUSY;
  /* Confined to the new tree: ".." and symlinks cannot leave it. */
  fd = resolve_walk_open (top_fd, rel, O_PATH | O_NOFOLLOW, 0);
  if (fd < 0)
    return fd;
  r = fd_mnt_id (fd, &id);
  if (r == 0 && id != e->id)
    {
      r = -EBUSY;
      for (size_t i = 0; i < t->n; i++)
        if (t->entries[i].id == id && strcmp (t->entries[i].mount_point, e->mount_point) == 0)
          r = -ENOENT;   /* covered: another mount sits on the same point */
    }
  if (r < 0)
    {
      close (fd);
      return r;
    }
  return fd;
}

/* Remount every mount below top (not top itself), parents first. */
static int
remount_descendants (int top_fd, const struct mount_entry *top, const struct mount_table *t,
                     unsigned long add)
{
  cleanup_free int *in_tree = xcalloc (t->n, sizeof (int));
  cleanup_free int *done = xcalloc (t->n, sizeof (int));
  bool progress = true;

  /* Fixed point: a mount is in the tree when its parent is top or in it. */
  while (progress)
    {
      progress = false;
      for (size_t i = 0; i < t->n; i++)
        {
          if (in_tree[i] || t->entries[i].id == top->id)
            continue;
          bool parent_in = t->entries[i].parent == top->id;
          for (size_t j = 0; j < t->n && !parent_in; j++)
            parent_in = in_tree[j] && t->entries[j].id == t->entries[i].parent;
          if (parent_in)
            in_tree[i] = progress = true;
        }
    }
  progress = true;
  while (progress)
    {
      progress = false;
      for (size_t i = 0; i < t->n; i++)
        {
          bool parent_done = t->entries[i].parent == top->id;
          int fd, r;
          if (!in_tree[i] || done[i])
            continue;
          for (size_t j = 0; j < t->n && !parent_done; j++)
            parent_done = done[j] && t->entries[j].id == t->entries[i].parent;
          if (!parent_done)
            continue;
          done[i] = progress = true;
          fd = open_mount (top_fd, top->mount_point, &t->entries[i], t);
          /* Covered by another mount, or below one we may not enter
           * (another user's FUSE mount): the sandbox, running with our
           * kernel ids, can reach it no more than we can. */
          if (fd == -ENOENT || fd == -EACCES)
            continue;
          if (fd < 0)
            return fd;
          r = remount_adding (fd, t->entries[i].flags, add);
          close (fd);
          if (r < 0)
            return r;
        }
    }
  return 0;
}

int
mount_legacy_bind (int src_fd, int dest_fd, unsigned flags)
{
  cleanup_free char *src = fd_path (src_fd), *dest = fd_path (dest_fd);
  struct mount_table before = { 0 }, after = { 0 };
  const struct mount_entry *top = NULL;
  cleanup_fd int root_fd = -1, top_fd = -1;
  int dest_id, top_id, r;

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
  /* The new top mount: not there before, stacked on dest's mount.  Only
   * this process mounts here, so exactly one. */
  for (size_t i = 0; i < after.n; i++)
    if (after.entries[i].parent == dest_id && !mount_table_has (&before, after.entries[i].id))
      {
        if (top != NULL)
          {
            r = -EBUSY;
            goto out;
          }
        top = &after.entries[i];
      }
  if (top == NULL)
    {
      r = -EBUSY;
      goto out;
    }
  root_fd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  top_fd = root_fd < 0 ? -errno : resolve_walk_open (root_fd, top->mount_point, O_PATH | O_NOFOLLOW, 0);
  if (top_fd < 0)
    {
      r = top_fd;
      goto out;
    }
  r = fd_mnt_id (top_fd, &top_id);
  if (r == 0 && top_id != top->id)
    r = -EBUSY;   /* a path on the way changed: do not guess */
  if (r == 0)
    r = remount_adding (top_fd, top->flags, bind_ms_flags (flags));
  if (r == 0)
    r = remount_descendants (top_fd, top, &after, bind_ms_flags (flags));
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
