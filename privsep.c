/* SPDX-License-Identifier: LGPL-2.0-or-later
 * privsep.c: the setuid helper and its one-request protocol.
 *
 * Which process runs what, with which privileges:
 *   privsep_start (before the fork)  setuid process: euid 0, real uid U
 *   helper_main                      the helper: euid 0, keeping only
 *                                    CAP_SYS_ADMIN (root-owned namespaces),
 *                                    CAP_SETUID/SETGID (id maps) and
 *                                    CAP_SYS_PTRACE (namespace ids)
 *   privsep_start (after the fork),
 *   privsep_clone_sandbox            the caller's process: uid U, no caps
 *   sandbox_child                    the new sandbox process: root of its
 *                                    new user namespace until it forks the
 *                                    privop peer, then uid U, no caps
 * The helper never reads argv, the environment or any path the user
 * names; it reads one fixed-size request and validates all of it.  The
 * caller's fds stay open in it only to be inherited by the sandbox. */
#include "privsep.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"
#include "namespaces.h"
#include "privop.h"

/* The namespaces a sandbox may ask for; the helper adds NEWUSER|NEWNS. */
#define ALLOWED_CLONE_FLAGS (CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET \
                             | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP)

int
privsep_encode (const struct privsep_request *req, uint8_t *buf, size_t len)
{
  uint32_t words[6] = { req->magic, req->op, req->clone_flags,
                        req->inside_uid, req->inside_gid, req->flags };
  if (len < PRIVSEP_REQUEST_SIZE)
    return -ENOBUFS;
  memcpy (buf, words, sizeof words);
  return PRIVSEP_REQUEST_SIZE;
}

int
privsep_decode (const uint8_t *buf, size_t len, struct privsep_request *ret,
                struct bwrap_error *err)
{
  uint32_t w[6];

  if (len != PRIVSEP_REQUEST_SIZE)
    return bwrap_error_set (err, 0, "privsep: request of %zu bytes, expected %zu",
                            len, (size_t) PRIVSEP_REQUEST_SIZE);
  memcpy (w, buf, sizeof w);
  if (w[0] != PRIVSEP_MAGIC)
    return bwrap_error_set (err, 0, "privsep: bad magic");
  if (w[1] != PRIVSEP_OP_CLONE_SANDBOX)
    return bwrap_error_set (err, 0, "privsep: unknown operation %u", w[1]);
  if ((w[2] & ~(uint32_t) ALLOWED_CLONE_FLAGS) != 0)
    return bwrap_error_set (err, 0, "privsep: clone flags 0x%x not allowed", w[2]);
  /* (uid_t)-1 means "unchanged" to the kernel and is never a real id. */
  if (w[3] == UINT32_MAX || w[4] == UINT32_MAX)
    return bwrap_error_set (err, 0, "privsep: invalid id");
  if ((w[5] & ~PRIVSEP_DEV) != 0)
    return bwrap_error_set (err, 0, "privsep: unknown flags 0x%x", w[5]);
  ret->magic = w[0];
  ret->op = w[1];
  ret->clone_flags = w[2];
  ret->inside_uid = w[3];
  ret->inside_gid = w[4];
  ret->flags = w[5];
  return 0;
}

void
privsep_format_map (char *buf, size_t len, uint32_t inside, uint32_t real,
                    uint32_t overflow, bool dev)
{
  /* devpts needs 0 mapped; the overflow id ("nobody") is the one host id
   * that gives nothing away, and no process of ours ever becomes it. */
  if (dev && inside != 0 && real != 0 && overflow != real)
    snprintf (buf, len, "0 %u 1\n%u %u 1\n", overflow, inside, real);
  else
    snprintf (buf, len, "%u %u 1\n", inside, real);
}

/* Real, effective and saved ids the user's, and non-dumpable: we hold
 * a socket to a privileged process, which nobody may drive through us,
 * whatever fs.suid_dumpable says.  The kernel lets a user attach to a
 * process whose real, effective and saved uid are all theirs if it is
 * dumpable and (the capability module's rule) in the user's own user
 * namespace.  Each change of the effective ids resets the flag to
 * fs.suid_dumpable, so with fs.suid_dumpable=1 the monitor, which lives
 * in the caller's namespace, would be open to the user between setresuid
 * and prctl (a user may stop it there: SIGSTOP is allowed once the real
 * uid is theirs).  The sandbox process and the peer live in the sandbox's
 * namespace, owned by root, which keeps the user out on its own; they
 * take the same order so that no single rule holds them.  So the saved
 * uid stays root's until the flag is cleared; the last step changes no
 * effective id and leaves the flag alone. */
static void
set_ids_non_dumpable (uid_t uid, gid_t gid)
{
  if (setresgid (gid, gid, gid) != 0 || setresuid (uid, uid, (uid_t) -1) != 0)
    die_with_error ("Unable to drop privileges");
  if (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
    die_with_error ("prctl(PR_SET_DUMPABLE)");
  if (setresuid ((uid_t) -1, (uid_t) -1, uid) != 0)
    die_with_error ("Unable to drop privileges");
}

/* Every capability gone from every set, for good: the bounding set
 * empty, and securebits locked so that uid 0 (--uid 0 maps it to the
 * user) never gains capabilities through exec or setuid(). */
static void
drop_privileges_for_good (uid_t uid, gid_t gid)
{
  const unsigned long bits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED
    | SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED
    | SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
  uid_t r_uid, e_uid, s_uid;
  int r;

  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0
      || prctl (PR_SET_SECUREBITS, bits, 0, 0, 0) != 0)
    die_with_error ("Unable to lock securebits");
  r = caps_bound (0);
  if (r < 0)
    {
      errno = -r;
      die_with_error ("Dropping capabilities from the bounding set");
    }
  if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
    die_with_error ("Clearing ambient capabilities");
  set_ids_non_dumpable (uid, gid);
  /* Dropping capabilities leaves the dumpable flag alone. */
  if (caps_set (0, 0) != 0)
    die_with_error ("Unable to drop capabilities");
  if (getresuid (&r_uid, &e_uid, &s_uid) != 0 || r_uid != uid || e_uid != uid || s_uid != uid
      || !caps_none_held ())
    die ("Unable to drop privileges");
}

/* The new sandbox process, root of its root-owned namespaces: wait for
 * the helper's id maps, fork the privileged peer, become the user. */
static void BWRAP_NORETURN
sandbox_child (const struct privsep_request *req, int maps_done, const int fds[3],
               privsep_sandbox_fn fn)
{
  struct privsep_sandbox sb = {
    .exec_status = fds[0],
    .handoff = fds[1],
    .release = fds[2],
    .clone_flags = (int) req->clone_flags | CLONE_NEWUSER | CLONE_NEWNS,
  };
  char c;
  int sv[2];

  /* S1: wait for the helper to write our id maps. */
  if (read (maps_done, &c, 1) != 1)
    _exit (1);   /* the helper failed and said why */
  (void) close (maps_done);
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
    die_with_error ("socketpair");
  sb.privop_peer = fork ();
  if (sb.privop_peer < 0)
    die_with_error ("fork");
  if (sb.privop_peer == 0)
    {
      (void) close (sv[0]);
      privop_serve (sv[1], sb.clone_flags, req->inside_uid, req->inside_gid);
    }
  (void) close (sv[1]);
  sb.privop_sock = sv[0];
  drop_privileges_for_good (req->inside_uid, req->inside_gid);
  fn (&sb);
  _exit (1);
}

static uint32_t
overflow_id (const char *name)
{
  cleanup_free char *path = strconcat ("/proc/sys/kernel/", name);
  cleanup_free char *data = NULL;
  cleanup_fd int fd = open (path, O_RDONLY | O_CLOEXEC);
  size_t len;
  uint32_t id;

  if (fd < 0 || read_fd_all (fd, 32, &data, &len) < 0)
    return 65534;
  data[strcspn (data, "\n")] = '\0';
  return parse_id (data, &id) == 0 ? id : 65534;
}

/* Write the sandbox's id maps from outside, as its namespace's creator. */
static int
write_maps (pid_t pid, const struct privsep_request *req, uid_t uid, gid_t gid)
{
  cleanup_free char *dir = xasprintf ("/proc/%d", (int) pid);
  cleanup_fd int dfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  bool dev = (req->flags & PRIVSEP_DEV) != 0;
  char map[128];
  int r;

  if (dfd < 0)
    return -errno;
  /* No setgroups(2) in the sandbox: dropping a supplementary group could
   * grant what that group is denied. */
  r = write_file_at (dfd, "setgroups", "deny");
  if (r < 0)
    return r;
  privsep_format_map (map, sizeof map, req->inside_uid, uid, overflow_id ("overflowuid"), dev);
  r = write_file_at (dfd, "uid_map", map);
  if (r < 0)
    return r;
  privsep_format_map (map, sizeof map, req->inside_gid, gid, overflow_id ("overflowgid"), dev);
  return write_file_at (dfd, "gid_map", map);
}

/* Receive the request and its fds.  Returns 0, or -1 (nothing usable). */
static int
recv_request (int sock, struct privsep_request *req, int fds[3])
{
  uint8_t buf[64];
  size_t n_fds;
  ssize_t n;

  fds[2] = -1;
  n = recv_with_fds (sock, buf, sizeof buf, fds, 3, &n_fds);   /* all O_CLOEXEC */
  if (n <= 0 || n_fds < 2 || privsep_decode (buf, (size_t) n, req, NULL) < 0)
    return -1;
  return 0;
}

static void
send_reply (int sock, int32_t code, int32_t pid, const uint64_t ids[STATUS_NS_COUNT])
{
  uint8_t buf[2 * sizeof (int32_t) + STATUS_NS_COUNT * sizeof (uint64_t)];

  memcpy (buf, &code, sizeof code);
  memcpy (buf + sizeof code, &pid, sizeof pid);
  memcpy (buf + 2 * sizeof code, ids, STATUS_NS_COUNT * sizeof (uint64_t));
  (void) send (sock, buf, sizeof buf, MSG_NOSIGNAL);  /* the peer may be gone: nothing to do */
}

static void BWRAP_NORETURN
helper_main (int sock, uid_t uid, gid_t gid, privsep_sandbox_fn fn)
{
  const uint64_t keep = ((uint64_t) 1 << CAP_SYS_ADMIN) | ((uint64_t) 1 << CAP_SETUID)
                        | ((uint64_t) 1 << CAP_SETGID) | ((uint64_t) 1 << CAP_SYS_PTRACE);
  uint64_t ids[STATUS_NS_COUNT] = { 0 };
  struct privsep_request req;
  int fds[3], maps_done[2];
  pid_t pid;
  int r;

  /* Root in every uid: it owns the namespaces we create, and the user
   * may not signal us (or what we fork) either.  Keep only the
   * capabilities named above, and nothing in the bounding set beyond. */
  if (setresuid (0, 0, 0) != 0 || caps_bound (keep) < 0 || caps_set (keep, 0) != 0)
    _exit (1);
  /* We never exec, so no_new_privs costs nothing here, and everything we
   * create inherits it (the sandbox process and the privileged peer):
   * should any of them ever reach an exec before its own drop, the exec
   * cannot gain privileges (setuid bits, file capabilities, LSM
   * transitions) beyond what it already holds. */
  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    _exit (1);

  if (recv_request (sock, &req, fds) < 0)
    _exit (0);   /* the caller is gone or needed no sandbox */
  if (pipe2 (maps_done, O_CLOEXEC) != 0)
    die_with_error ("pipe");
  /* CLONE_PARENT: the sandbox is the monitor's child, as without setuid. */
  pid = ns_clone ((int) req.clone_flags | CLONE_NEWUSER | CLONE_NEWNS | CLONE_PARENT);
  if (pid == 0)
    {
      (void) close (sock);
      (void) close (maps_done[1]);
      sandbox_child (&req, maps_done[0], fds, fn);
    }
  (void) close (maps_done[0]);
  r = write_maps (pid, &req, uid, gid);
  if (r < 0)
    {
      errno = -r;
      die_with_error ("setting up uid map");
    }
  status_read_ns_ids (pid, (int) req.clone_flags | CLONE_NEWNS, ids);
  /* S1: the maps are written: release the sandbox process, then answer
   * the monitor. */
  if (write_all (maps_done[1], "m", 1) < 0)
    die_with_error ("write");
  send_reply (sock, 0, pid, ids);
  _exit (0);
}

void
privsep_start (struct privsep *ps, privsep_sandbox_fn fn)
{
  uid_t uid = getuid ();
  gid_t gid = getgid ();
  int sv[2];
  uid_t r_uid, e_uid, s_uid;

  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
    die_with_error ("socketpair");
  ps->helper = fork ();
  if (ps->helper < 0)
    die_with_error ("fork");
  if (ps->helper == 0)
    {
      (void) close (sv[0]);
      helper_main (sv[1], uid, gid, fn);
    }
  (void) close (sv[1]);
  ps->sock = sv[0];

  /* Drop everything, for good: with real, effective and saved ids all the
   * user's, the kernel clears every capability and none can come back.
   * Non-dumpable from here on: we hold the socket to the helper. */
  set_ids_non_dumpable (uid, gid);
  if (getresuid (&r_uid, &e_uid, &s_uid) != 0 || r_uid != uid || e_uid != uid || s_uid != uid)
    die ("Unable to drop privileges");
  /* The inheritable set is the caller's after the setuid exec: empty it
   * too, so that no set holds anything. */
  if (caps_set (0, 0) != 0 || !caps_none_held ())
    die ("Unable to drop capabilities");
}

pid_t
privsep_clone_sandbox (struct privsep *ps, const struct privsep_request *req_in,
                       int exec_status, int release, int handoff,
                       uint64_t ids[STATUS_NS_COUNT])
{
  struct privsep_request req = *req_in;
  uint8_t buf[PRIVSEP_REQUEST_SIZE];
  uint8_t reply[2 * sizeof (int32_t) + STATUS_NS_COUNT * sizeof (uint64_t)];
  int fds[3] = { exec_status, handoff, release };
  size_t n_fds = release >= 0 ? 3 : 2;
  int32_t code, pid;
  int status;
  ssize_t n;

  req.magic = PRIVSEP_MAGIC;
  req.op = PRIVSEP_OP_CLONE_SANDBOX;
  if (privsep_encode (&req, buf, sizeof buf) < 0
      || send_with_fds (ps->sock, buf, sizeof buf, fds, n_fds) != (ssize_t) sizeof buf)
    die_with_error ("privsep: sending request");
  /* S1: the helper answers once the sandbox's id maps are written. */
  n = recv (ps->sock, reply, sizeof reply, 0);
  (void) close (ps->sock);
  ps->sock = -1;
  while (waitpid (ps->helper, &status, 0) < 0 && errno == EINTR)
    ;
  if (n != (ssize_t) sizeof reply)
    {
      /* A helper that exited with 1 has said why on stderr already. */
      if (WIFEXITED (status) && WEXITSTATUS (status) == 1)
        exit (1);
      die ("privsep: no reply from the privileged helper");
    }
  memcpy (&code, reply, sizeof code);
  memcpy (&pid, reply + sizeof code, sizeof pid);
  memcpy (ids, reply + 2 * sizeof code, STATUS_NS_COUNT * sizeof (uint64_t));
  if (code != 0 || pid <= 0)
    die ("privsep: the privileged helper failed");
  return pid;
}
