/* SPDX-License-Identifier: LGPL-2.0-or-later
 * privsep.c: the setuid helper and its one-message protocol.
 *
 * Which process runs what, with which privileges:
 *   privsep_start (before the fork)   setuid process: euid 0, real uid U
 *   helper_main                       the helper: after its first steps
 *                                     euid/ruid/suid U and only
 *                                     CAP_SYS_ADMIN (needed to create a
 *                                     user namespace where the admin has
 *                                     disabled unprivileged ones)
 *   privsep_start (after the fork),
 *   privsep_request_userns            the caller's process: uid U, no caps
 * The helper never reads argv, the environment or any path the user
 * names; it reads one fixed-size request and validates all of it. */
#include "privsep.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int
privsep_encode (const struct privsep_request *req, uint8_t *buf, size_t len)
{
  uint32_t words[4] = { req->magic, req->op, req->inside_uid, req->inside_gid };
  if (len < PRIVSEP_REQUEST_SIZE)
    return -ENOBUFS;
  memcpy (buf, words, sizeof words);
  return PRIVSEP_REQUEST_SIZE;
}

int
privsep_decode (const uint8_t *buf, size_t len, struct privsep_request *ret,
                struct bwrap_error *err)
{
  uint32_t words[4];

  if (len != PRIVSEP_REQUEST_SIZE)
    return bwrap_error_set (err, 0, "privsep: request of %zu bytes, expected %zu",
                            len, (size_t) PRIVSEP_REQUEST_SIZE);
  memcpy (words, buf, sizeof words);
  if (words[0] != PRIVSEP_MAGIC)
    return bwrap_error_set (err, 0, "privsep: bad magic");
  if (words[1] != PRIVSEP_OP_CREATE_USERNS)
    return bwrap_error_set (err, 0, "privsep: unknown operation %u", words[1]);
  /* (uid_t)-1 means "unchanged" to the kernel and is never a real id. */
  if (words[2] == UINT32_MAX || words[3] == UINT32_MAX)
    return bwrap_error_set (err, 0, "privsep: invalid id");
  ret->magic = words[0];
  ret->op = words[1];
  ret->inside_uid = words[2];
  ret->inside_gid = words[3];
  return 0;
}

static int
capset_only (uint64_t set)
{
  struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct data[2];
  memset (data, 0, sizeof data);
  data[0].permitted = data[0].effective = (uint32_t) set;
  data[1].permitted = data[1].effective = (uint32_t) (set >> 32);
  return syscall (SYS_capset, &hdr, data);
}

static void
send_reply (int sock, int err_code, int fd)
{
  char cbuf[CMSG_SPACE (sizeof (int))];
  int32_t code = err_code;
  struct iovec iov = { &code, sizeof code };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };

  if (fd >= 0)
    {
      struct cmsghdr *c;
      memset (cbuf, 0, sizeof cbuf);
      msg.msg_control = cbuf;
      msg.msg_controllen = sizeof cbuf;
      c = CMSG_FIRSTHDR (&msg);
      c->cmsg_level = SOL_SOCKET;
      c->cmsg_type = SCM_RIGHTS;
      c->cmsg_len = CMSG_LEN (sizeof (int));
      memcpy (CMSG_DATA (c), &fd, sizeof fd);
    }
  (void) sendmsg (sock, &msg, MSG_NOSIGNAL);  /* the peer may be gone: nothing to do */
}

static int
write_self_maps (uid_t in_uid, uid_t out_uid, gid_t in_gid, gid_t out_gid)
{
  char map[64];
  int r;

  /* Self-maps of our own ids only: the kernel allows exactly these to any
   * namespace owner, and they give the user nothing they do not own. */
  r = write_file_at (AT_FDCWD, "/proc/self/setgroups", "deny");
  if (r < 0)
    return r;
  snprintf (map, sizeof map, "%u %u 1\n", (unsigned) in_uid, (unsigned) out_uid);
  r = write_file_at (AT_FDCWD, "/proc/self/uid_map", map);
  if (r < 0)
    return r;
  snprintf (map, sizeof map, "%u %u 1\n", (unsigned) in_gid, (unsigned) out_gid);
  return write_file_at (AT_FDCWD, "/proc/self/gid_map", map);
}

static void BWRAP_NORETURN
helper_main (int sock, uid_t uid, gid_t gid)
{
  uint8_t buf[64];
  struct privsep_request req;
  int unshare_errno;
  ssize_t n;
  int fd;

  /* Hold nothing of the caller's: no inherited fd but our socket. */
  if (sock != 3)
    {
      if (dup2 (sock, 3) < 0)
        _exit (1);
      sock = 3;
    }
  (void) close_range (4, ~0U, 0);
  (void) close_range (0, 2, 0);
  /* Become the user, keeping CAP_SYS_ADMIN alone: the new user namespace
   * must be owned by the user (it is owned by our euid at creation), and
   * CAP_SYS_ADMIN is what lifts a ban on unprivileged user namespaces. */
  if (prctl (PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0
      || setresgid (gid, gid, gid) != 0
      || setresuid (uid, uid, uid) != 0
      || capset_only ((uint64_t) 1 << CAP_SYS_ADMIN) != 0
      || prctl (PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0)
    _exit (1);

  /* Create the namespace at once, before waiting for the caller (who may
   * take long: parsing, --args pipes, preflight on a slow FUSE mount), so
   * CAP_SYS_ADMIN over the host is held for one system call only: after
   * it, our capabilities count in the new user-owned namespace alone. */
  unshare_errno = unshare (CLONE_NEWUSER) == 0 ? 0 : errno;
  if (unshare_errno == 0)
    {
      /* The setuid transition left us non-dumpable, so our /proc/self
       * files belong to the host's root and we (uid U without
       * CAP_DAC_OVERRIDE) could not write our own id maps.  Becoming
       * dumpable is safe only now, for the reason above: a process of
       * the user that attaches to us gains nothing it could not get in a
       * namespace of its own. */
      if (prctl (PR_SET_DUMPABLE, 1, 0, 0, 0) != 0)
        unshare_errno = errno;
    }

  n = recv (sock, buf, sizeof buf, 0);
  if (n <= 0)
    _exit (0);   /* the caller needed no namespace after all */
  if (privsep_decode (buf, n, &req, NULL) < 0)
    {
      send_reply (sock, EINVAL, -1);
      _exit (1);
    }
  if (unshare_errno != 0)
    {
      send_reply (sock, unshare_errno, -1);
      _exit (1);
    }
  {
    int r = write_self_maps (req.inside_uid, uid, req.inside_gid, gid);
    if (r < 0)
      {
        send_reply (sock, -r, -1);
        _exit (1);
      }
  }
  fd = open ("/proc/self/ns/user", O_RDONLY | O_CLOEXEC);
  send_reply (sock, fd < 0 ? errno : 0, fd);
  _exit (0);
}

/* First byte of sysctl_dir/name, or 0 when it cannot be read. */
static char
sysctl_first_byte (const char *sysctl_dir, const char *name)
{
  cleanup_free char *path = strconcat3 (sysctl_dir, "/", name);
  cleanup_fd int fd = open (path, O_RDONLY | O_CLOEXEC);
  char c = 0;

  if (fd < 0 || read (fd, &c, 1) != 1)
    return 0;
  return c;
}

bool
privsep_userns_banned (const char *sysctl_dir)
{
  return sysctl_first_byte (sysctl_dir, "unprivileged_userns_clone") == '0'
         || sysctl_first_byte (sysctl_dir, "apparmor_restrict_unprivileged_userns") == '1';
}

void
privsep_start (struct privsep *ps)
{
  uid_t uid = getuid ();
  gid_t gid = getgid ();
  int sv[2];
  uid_t r_uid, e_uid, s_uid;
  struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct data[2];

  /* See privsep.h: our namespace would hand the user what the ban
   * withholds, so with a ban there is nothing setuid mode may do. */
  if (privsep_userns_banned ("/proc/sys/kernel"))
    die ("setuid mode is not supported while unprivileged user namespaces are disabled "
         "(kernel.unprivileged_userns_clone=0 or kernel.apparmor_restrict_unprivileged_userns=1): "
         "it would lift that restriction for the user");
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
    die_with_error ("socketpair");
  ps->helper = fork ();
  if (ps->helper < 0)
    die_with_error ("fork");
  if (ps->helper == 0)
    {
      (void) close (sv[0]);
      helper_main (sv[1], uid, gid);
    }
  (void) close (sv[1]);
  ps->sock = sv[0];

  /* Drop everything, for good: with real, effective and saved ids all the
   * user's, the kernel clears every capability and none can come back. */
  if (setresgid (gid, gid, gid) != 0 || setresuid (uid, uid, uid) != 0)
    die_with_error ("Unable to drop privileges");
  if (getresuid (&r_uid, &e_uid, &s_uid) != 0 || r_uid != uid || e_uid != uid || s_uid != uid)
    die ("Unable to drop privileges");
  if (syscall (SYS_capget, &hdr, data) != 0
      || (data[0].permitted | data[1].permitted | data[0].effective | data[1].effective) != 0)
    die ("Unable to drop capabilities");
  /* The setuid transition made us non-dumpable: our /proc/self files
   * belong to the host's root, so the sandbox process could not write the
   * id maps of a namespace it nests (--dev with --uid != 0, --disable-userns).
   * We now hold nothing the user does not (their ids, no capability, a
   * socket to a helper they could start themselves by running bwrap), so
   * letting the user's processes attach to us exposes nothing. */
  if (prctl (PR_SET_DUMPABLE, 1, 0, 0, 0) != 0)
    die_with_error ("prctl(PR_SET_DUMPABLE)");
}

int
privsep_request_userns (struct privsep *ps, uid_t inside_uid, gid_t inside_gid)
{
  struct privsep_request req = {
    .magic = PRIVSEP_MAGIC,
    .op = PRIVSEP_OP_CREATE_USERNS,
    .inside_uid = inside_uid,
    .inside_gid = inside_gid,
  };
  uint8_t buf[PRIVSEP_REQUEST_SIZE];
  char cbuf[CMSG_SPACE (sizeof (int))];
  int32_t code = -1;
  struct iovec iov = { &code, sizeof code };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = cbuf, .msg_controllen = sizeof cbuf };
  struct cmsghdr *c;
  int fd = -1;
  ssize_t n;

  n = privsep_encode (&req, buf, sizeof buf);
  if (n < 0 || send (ps->sock, buf, n, MSG_NOSIGNAL) != n)
    die_with_error ("privsep: sending request");
  n = recvmsg (ps->sock, &msg, MSG_CMSG_CLOEXEC);
  if (n != sizeof code)
    die ("privsep: no reply from the privileged helper");
  if (code != 0)
    {
      errno = code;
      die_with_error ("Creating new namespace failed");
    }
  c = CMSG_FIRSTHDR (&msg);
  if (c == NULL || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS
      || c->cmsg_len != CMSG_LEN (sizeof (int)))
    die ("privsep: malformed reply from the privileged helper");
  memcpy (&fd, CMSG_DATA (c), sizeof fd);
  (void) close (ps->sock);
  ps->sock = -1;
  (void) waitpid (ps->helper, NULL, 0);
  return fd;
}
