/* SPDX-License-Identifier: LGPL-2.0-or-later
 * privop.c: setuid mode's privileged setup operations (see privop.h):
 * the wire codec, the privileged peer's loop and the client stubs.
 *
 * Wire format (SOCK_SEQPACKET, one message per request or reply, both
 * ends the same binary, host byte order):
 *   request  u32 magic, u32 op, u32 flags, u32 n_strings, then n_strings
 *            NUL-terminated strings; up to two fds as SCM_RIGHTS
 *   reply    u32 magic, i32 errno (0: done), then an optional message */
#include "privop.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/mount.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bind-mount.h"
#include "caps.h"
#include "mount-fs.h"
#include "network.h"
#include "root-switch.h"

#define HEADER_WORDS 4
#define HEADER_SIZE (HEADER_WORDS * sizeof (uint32_t))
#define REQUEST_MAX (HEADER_SIZE + PRIVOP_PAYLOAD_MAX)
#define REPLY_MAX (2 * sizeof (uint32_t) + PRIVOP_PAYLOAD_MAX)
#define MAX_STRINGS (N_ELEMENTS (((struct privop_request *) 0)->strings))

/* ---- codec (pure) ------------------------------------------------------- */

ssize_t
privop_encode (uint32_t op, uint32_t flags, const char *const *strings, size_t n_strings,
               uint8_t *buf, size_t len)
{
  uint32_t header[HEADER_WORDS] = { PRIVOP_MAGIC, op, flags, (uint32_t) n_strings };
  size_t off = HEADER_SIZE;

  if (len < HEADER_SIZE || n_strings > MAX_STRINGS)
    return -ENOBUFS;
  memcpy (buf, header, HEADER_SIZE);
  for (size_t i = 0; i < n_strings; i++)
    {
      size_t n = strlen (strings[i]) + 1;
      if (n > len - off || off + n > REQUEST_MAX)
        return -ENOBUFS;
      memcpy (buf + off, strings[i], n);
      off += n;
    }
  return (ssize_t) off;
}

/* Config keys each filesystem may get, and what their values look like:
 * exactly what setuid mode's setup sends (no "size": --size is refused
 * in setuid mode, so a request with it is not from our client). */
enum value_kind { VALUE_NONE, VALUE_OCTAL, VALUE_LABEL };

struct fs_key
{
  const char *fstype;
  const char *key;
  enum value_kind kind;
};

static const struct fs_key fs_keys[] = {
  { "tmpfs", "mode", VALUE_OCTAL },
  { "tmpfs", "context", VALUE_LABEL },
  { "devpts", "newinstance", VALUE_NONE },
  { "devpts", "ptmxmode", VALUE_OCTAL },
  { "devpts", "mode", VALUE_OCTAL },
  { "proc", NULL, VALUE_NONE },
  { "mqueue", NULL, VALUE_NONE },
};

static bool
all_chars_in (const char *s, const char *set, size_t max_len)
{
  size_t n = strlen (s);
  return n > 0 && n <= max_len && strspn (s, set) == n;
}

static bool
value_ok (enum value_kind kind, const char *value)
{
  switch (kind)
    {
    case VALUE_NONE:
      return value == NULL;
    case VALUE_OCTAL:
      return value != NULL && all_chars_in (value, "01234567", 5);
    case VALUE_LABEL:
      /* An SELinux context: printable, no spaces. */
      if (value == NULL || *value == '\0' || strlen (value) > 255)
        return false;
      for (const char *p = value; *p != '\0'; p++)
        if (*p <= ' ' || *p > '~')
          return false;
      return true;
    default:
      return false;
    }
}

/* "key" or "key=value" of a MOUNT_FS request against the whitelist. */
static bool
fs_config_ok (const char *fstype, const char *entry)
{
  const char *eq = strchr (entry, '=');
  size_t key_len = eq != NULL ? (size_t) (eq - entry) : strlen (entry);

  for (size_t i = 0; i < N_ELEMENTS (fs_keys); i++)
    if (strcmp (fs_keys[i].fstype, fstype) == 0 && fs_keys[i].key != NULL
        && strlen (fs_keys[i].key) == key_len && strncmp (fs_keys[i].key, entry, key_len) == 0)
      return value_ok (fs_keys[i].kind, eq != NULL ? eq + 1 : NULL);
  return false;
}

static bool
fstype_ok (const char *fstype)
{
  for (size_t i = 0; i < N_ELEMENTS (fs_keys); i++)
    if (strcmp (fs_keys[i].fstype, fstype) == 0)
      return true;
  return false;
}

/* What each operation carries: fds, strings (min..max) and flag bits. */
struct op_shape
{
  size_t n_fds;
  size_t min_strings, max_strings;
  uint32_t flags;
};

static const struct op_shape *
shape_of (uint32_t op)
{
  static const struct op_shape none = { 0, 0, 0, 0 };
  static const struct op_shape bind = { 2, 0, 0, BIND_READONLY | BIND_DEVICES };
  static const struct op_shape mount_fs = {
    1, 1, MAX_STRINGS,
    MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC,
  };
  static const struct op_shape set_rdonly = { 1, 0, 0, 0 };
  static const struct op_shape hostname = { 0, 1, 1, 0 };

  switch (op)
    {
    case PRIVOP_SETUP_ROOT:
    case PRIVOP_LOOPBACK:
    case PRIVOP_ENTER_NEW_ROOT:
      return &none;
    case PRIVOP_BIND:
      return &bind;
    case PRIVOP_MOUNT_FS:
      return &mount_fs;
    case PRIVOP_SET_RDONLY:
      return &set_rdonly;
    case PRIVOP_HOSTNAME:
      return &hostname;
    default:
      return NULL;
    }
}

int
privop_decode (uint8_t *buf, size_t len, size_t n_fds, struct privop_request *ret,
               struct bwrap_error *err)
{
  uint32_t header[HEADER_WORDS];
  const struct op_shape *shape;
  struct privop_request req;
  size_t off = HEADER_SIZE;

  if (len < HEADER_SIZE || len > REQUEST_MAX)
    return bwrap_error_set (err, 0, "privop: request of %zu bytes", len);
  memcpy (header, buf, HEADER_SIZE);
  if (header[0] != PRIVOP_MAGIC)
    return bwrap_error_set (err, 0, "privop: bad magic");
  shape = shape_of (header[1]);
  if (shape == NULL)
    return bwrap_error_set (err, 0, "privop: unknown operation %u", header[1]);
  if ((header[2] & ~shape->flags) != 0)
    return bwrap_error_set (err, 0, "privop: flags 0x%x not allowed for operation %u",
                            header[2], header[1]);
  if (n_fds != shape->n_fds)
    return bwrap_error_set (err, 0, "privop: operation %u takes %zu fds, got %zu",
                            header[1], shape->n_fds, n_fds);
  if (header[3] < shape->min_strings || header[3] > shape->max_strings)
    return bwrap_error_set (err, 0, "privop: operation %u takes %zu to %zu strings, got %u",
                            header[1], shape->min_strings, shape->max_strings, header[3]);
  memset (&req, 0, sizeof req);
  req.op = header[1];
  req.flags = header[2];
  req.n_fds = n_fds;
  req.n_strings = header[3];
  for (size_t i = 0; i < req.n_strings; i++)
    {
      uint8_t *nul = memchr (buf + off, '\0', len - off);
      if (nul == NULL)
        return bwrap_error_set (err, 0, "privop: unterminated string");
      req.strings[i] = (const char *) buf + off;
      off = (size_t) (nul - buf) + 1;
    }
  if (off != len)
    return bwrap_error_set (err, 0, "privop: %zu trailing bytes", len - off);

  if (req.op == PRIVOP_HOSTNAME && strlen (req.strings[0]) > 64)
    return bwrap_error_set (err, 0, "privop: hostname too long");
  if (req.op == PRIVOP_MOUNT_FS)
    {
      if (!fstype_ok (req.strings[0]))
        return bwrap_error_set (err, 0, "privop: filesystem type not allowed");
      for (size_t i = 1; i < req.n_strings; i++)
        if (!fs_config_ok (req.strings[0], req.strings[i]))
          return bwrap_error_set (err, 0, "privop: %s option not allowed", req.strings[0]);
    }
  *ret = req;   /* only a request valid in every part leaves here */
  return 0;
}

/* ---- the privileged peer ------------------------------------------------ */

static void
send_reply (int sock, int errnum, const char *message)
{
  uint8_t buf[REPLY_MAX];
  uint32_t magic = PRIVOP_MAGIC;
  int32_t code = errnum;
  size_t n = 2 * sizeof (uint32_t);

  memcpy (buf, &magic, sizeof magic);
  memcpy (buf + sizeof magic, &code, sizeof code);
  if (message != NULL)
    {
      size_t m = strnlen (message, PRIVOP_PAYLOAD_MAX - 1);
      memcpy (buf + n, message, m);
      n += m;
    }
  /* The peer may be gone; it then sees nothing and we see EOF next. */
  (void) send_with_fds (sock, buf, n, NULL, 0);
}

/* The whole line the client will print: message and errno text. */
static void
send_error_reply (int sock, int r, struct bwrap_error *err)
{
  cleanup_free char *line = err->errnum != 0
    ? xasprintf ("%s: %s", err->message, strerror (err->errnum)) : xstrdup (err->message);
  send_reply (sock, -r > 0 ? -r : EINVAL, line);
  bwrap_error_clear (err);
}

/* Keep exactly CAP_SYS_ADMIN (mounts, pivot_root, sethostname) and
 * CAP_NET_ADMIN (loopback), in the sandbox's namespace: a flaw in a
 * request handler then has nothing else to use. */
static void
peer_restrict_caps (void)
{
  uint64_t keep = ((uint64_t) 1 << CAP_SYS_ADMIN) | ((uint64_t) 1 << CAP_NET_ADMIN);

  if (caps_bound (keep) < 0 || caps_set (keep, 0) != 0)
    _exit (1);
}

/* mount_new_fs's config from "key" / "key=value" strings (into copies). */
static int
peer_mount_fs (const struct privop_request *req, int dest_fd, char **ret_msg)
{
  const char *config[2 * (MAX_STRINGS - 1) + 1];
  char copies[MAX_STRINGS][PRIVOP_PAYLOAD_MAX];
  const char *fstype = req->strings[0];
  unsigned attrs = req->flags | MOUNT_ATTR_NOSUID;
  size_t n = 0;

  /* Device files only where the request is for devpts itself. */
  if (strcmp (fstype, "devpts") != 0)
    attrs |= MOUNT_ATTR_NODEV;
  for (size_t i = 1; i < req->n_strings; i++)
    {
      char *eq;
      snprintf (copies[i], sizeof copies[i], "%s", req->strings[i]);
      eq = strchr (copies[i], '=');
      if (eq != NULL)
        *eq = '\0';
      config[n++] = copies[i];
      config[n++] = eq != NULL ? eq + 1 : NULL;
    }
  config[n] = NULL;
  return mount_new_fs (fstype, config, attrs, dest_fd, ret_msg);
}

void
privop_serve (int sock, int clone_flags, uid_t fs_uid, gid_t fs_gid)
{
  bool setup_root_done = false;

  /* Nothing of the caller's: the socket is all we talk through. */
  if (sock != 3)
    {
      if (dup2 (sock, 3) < 0)
        _exit (1);
      sock = 3;
    }
  (void) close_range (4, ~0U, 0);
  (void) close_range (0, 2, 0);
  (void) umask (0);
  /* The user's ids (inside ids, mapped to the user's), keeping our
   * capabilities: new filesystems belong to their mounter's fsuid, so
   * the unprivileged setup process can fill them, and a user's FUSE
   * mount (without allow_other) admits only processes whose every uid
   * and gid is the user's.  Non-dumpable whatever fs.suid_dumpable
   * says: the user must not attach to a process with capabilities.
   * The saved uid stays root's until the flag is cleared, as in
   * privsep.c's set_ids_non_dumpable (fs.suid_dumpable=1; the sandbox's
   * root-owned user namespace keeps the user out as well). */
  if (prctl (PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0
      || setresgid (fs_gid, fs_gid, fs_gid) != 0 || setresuid (fs_uid, fs_uid, (uid_t) -1) != 0
      || prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) != 0 || setresuid ((uid_t) -1, (uid_t) -1, fs_uid) != 0
      || prctl (PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0)
    _exit (1);
  if ((uid_t) setfsuid ((uid_t) -1) != fs_uid || (gid_t) setfsgid ((gid_t) -1) != fs_gid)
    _exit (1);
  peer_restrict_caps ();
  /* Our parent is the setup process: should it die, so do we (EOF on the
   * socket says so too).  After the fsuid change, which would clear it. */
  if (prctl (PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
    _exit (1);

  for (;;)
    {
      uint8_t buf[REQUEST_MAX + 1];
      int fds[PRIVOP_MAX_FDS];
      struct privop_request req;
      struct bwrap_error err = { 0 };
      cleanup_free char *msg = NULL;
      size_t n_fds;
      ssize_t n = recv_with_fds (sock, buf, sizeof buf, fds, PRIVOP_MAX_FDS, &n_fds);
      int r;

      if (n <= 0)
        _exit (0);   /* the setup process is done or gone */
      r = privop_decode (buf, (size_t) n, n_fds, &req, &err);
      /* The fixed order: everything mounts inside the setup root. */
      if (r == 0 && !setup_root_done
          && (req.op == PRIVOP_BIND || req.op == PRIVOP_MOUNT_FS
              || req.op == PRIVOP_SET_RDONLY || req.op == PRIVOP_ENTER_NEW_ROOT))
        r = bwrap_error_set (&err, 0, "privop: operation %u before the setup root", req.op);
      if (r == 0 && ((req.op == PRIVOP_SETUP_ROOT && setup_root_done)
                     || (req.op == PRIVOP_HOSTNAME && !(clone_flags & CLONE_NEWUTS))
                     || (req.op == PRIVOP_LOOPBACK && !(clone_flags & CLONE_NEWNET))))
        r = bwrap_error_set (&err, 0, "privop: operation %u not allowed here", req.op);
      if (r < 0)
        {
          /* Our own client never sends this: refuse and stop serving. */
          send_error_reply (sock, r, &err);
          _exit (1);
        }

      switch (req.op)
        {
        case PRIVOP_SETUP_ROOT:
          r = root_switch_to_setup_root (&err);
          setup_root_done = r == 0;
          break;
        case PRIVOP_BIND:
          r = bind_mount_fd_err (fds[0], fds[1], req.flags, &err);
          break;
        case PRIVOP_MOUNT_FS:
          r = peer_mount_fs (&req, fds[0], &msg);
          break;
        case PRIVOP_SET_RDONLY:
          r = mount_set_readonly (fds[0]);
          break;
        case PRIVOP_HOSTNAME:
          r = sethostname (req.strings[0], strlen (req.strings[0])) == 0 ? 0 : -errno;
          break;
        case PRIVOP_LOOPBACK:
          r = network_loopback_up (&err);
          break;
        case PRIVOP_ENTER_NEW_ROOT:
          r = root_switch_to_new_root (&err);
          break;
        default:
          r = -EINVAL;
          break;
        }
      for (size_t i = 0; i < n_fds; i++)
        (void) close (fds[i]);
      if (r < 0 && err.message != NULL)
        send_error_reply (sock, r, &err);
      else
        send_reply (sock, -r, msg);
      /* S3: the last request; the client waits for our exit. */
      if (req.op == PRIVOP_ENTER_NEW_ROOT)
        _exit (r == 0 ? 0 : 1);
    }
}

/* ---- the unprivileged client -------------------------------------------- */

static int client_sock = -1;
static pid_t client_peer = -1;

void
privop_client_start (int sock, pid_t peer)
{
  client_sock = sock;
  client_peer = peer;
}

bool
privop_client_active (void)
{
  return client_sock >= 0;
}

void
privop_client_finish (void)
{
  int status;

  if (client_sock < 0)
    return;
  /* S3: EOF ends the peer if ENTER_NEW_ROOT has not; wait until it has
   * exited. */
  (void) close (client_sock);
  client_sock = -1;
  while (waitpid (client_peer, &status, 0) < 0 && errno == EINTR)
    ;
  client_peer = -1;
}

/* One request, one reply.  Returns 0 or -errno from the peer, with its
 * message (if any) in *ret_msg.  A lost peer is fatal. */
static int
call (uint32_t op, uint32_t flags, const char *const *strings, size_t n_strings,
      const int *fds, size_t n_fds, char **ret_msg)
{
  uint8_t buf[REQUEST_MAX];
  uint8_t reply[REPLY_MAX + 1];
  uint32_t magic;
  int32_t code;
  int dummy[PRIVOP_MAX_FDS];
  size_t n_dummy;
  ssize_t n = privop_encode (op, flags, strings, n_strings, buf, sizeof buf);

  if (n < 0)
    die ("privop: request too large");
  if (send_with_fds (client_sock, buf, (size_t) n, fds, n_fds) != n)
    die_with_error ("privop: sending a request to the privileged helper");
  n = recv_with_fds (client_sock, reply, REPLY_MAX, dummy, PRIVOP_MAX_FDS, &n_dummy);
  for (size_t i = 0; i < n_dummy; i++)
    (void) close (dummy[i]);
  if (n < (ssize_t) (2 * sizeof (uint32_t)))
    die ("privop: the privileged helper did not answer");
  memcpy (&magic, reply, sizeof magic);
  memcpy (&code, reply + sizeof magic, sizeof code);
  if (magic != PRIVOP_MAGIC || code < 0)
    die ("privop: malformed answer from the privileged helper");
  reply[n] = '\0';
  if (ret_msg != NULL)
    *ret_msg = n > (ssize_t) (2 * sizeof (uint32_t))
               ? xstrdup ((char *) reply + 2 * sizeof (uint32_t)) : NULL;
  return -code;
}

int
privop_bind (int src_fd, int dest_fd, unsigned flags, struct bwrap_error *err)
{
  int fds[2] = { src_fd, dest_fd };
  cleanup_free char *msg = NULL;
  int r = call (PRIVOP_BIND, flags, NULL, 0, fds, 2, &msg);

  /* The peer's message already carries its errno's text. */
  if (r < 0 && msg != NULL)
    (void) bwrap_error_set (err, 0, "%s", msg);
  return r;
}

int
privop_mount_fs (const char *fstype, const char *const *config, unsigned attrs,
                 int dest_fd, char **ret_kernel_msg)
{
  const char *strings[MAX_STRINGS] = { fstype };
  char *entries[MAX_STRINGS] = { NULL };
  size_t n = 1;
  char *msg = NULL;
  int r;

  for (size_t i = 0; config != NULL && config[i] != NULL; i += 2)
    {
      if (n == MAX_STRINGS)
        die ("privop: too many %s options", fstype);
      entries[n] = config[i + 1] == NULL ? xstrdup (config[i])
                                         : xasprintf ("%s=%s", config[i], config[i + 1]);
      strings[n] = entries[n];
      n++;
    }
  r = call (PRIVOP_MOUNT_FS, attrs, strings, n, &dest_fd, 1, &msg);
  for (size_t i = 0; i < n; i++)
    free (entries[i]);
  if (ret_kernel_msg != NULL)
    *ret_kernel_msg = msg;
  else
    free (msg);
  return r;
}

int
privop_set_rdonly (int fd)
{
  return call (PRIVOP_SET_RDONLY, 0, NULL, 0, &fd, 1, NULL);
}

int
privop_hostname (const char *name)
{
  return call (PRIVOP_HOSTNAME, 0, &name, 1, NULL, 0, NULL);
}

int
privop_simple (enum privop_kind op, struct bwrap_error *err)
{
  cleanup_free char *msg = NULL;
  int r = call (op, 0, NULL, 0, NULL, 0, &msg);

  if (r < 0)
    {
      /* The peer's message already carries its errno's text. */
      if (msg != NULL)
        (void) bwrap_error_set (err, 0, "%s", msg);
      else
        (void) bwrap_error_set (err, -r, "privop: operation %d failed", (int) op);
    }
  return r;
}
