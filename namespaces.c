/* SPDX-License-Identifier: LGPL-2.0-or-later
 * namespaces.c: namespace flags, clone, and id maps.
 * ns_clone_flags/ns_clone run in the caller's process (real root or the
 * unprivileged caller); the map writers run in the sandbox process, inside
 * the user namespace being configured, holding that namespace's caps. */
#include "namespaces.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "utils.h"

/* "Try" semantics as bubblewrap's: a user-namespace handle exists, the
 * RHEL7-style module switch is not N, and the global limit is not 0. */
static bool
userns_seems_possible (void)
{
  char buf[32] = "";
  cleanup_fd int fd = -1;

  if (access ("/proc/self/ns/user", F_OK) != 0)
    return false;
  fd = open ("/sys/module/user_namespace/parameters/enable", O_RDONLY | O_CLOEXEC);
  if (fd >= 0 && read (fd, buf, sizeof buf - 1) > 0 && buf[0] == 'N')
    return false;
  (void) close (steal_fd (&fd));
  memset (buf, 0, sizeof buf);
  fd = open ("/proc/sys/user/max_user_namespaces", O_RDONLY | O_CLOEXEC);
  if (fd >= 0 && read (fd, buf, sizeof buf - 1) > 0 && strtol (buf, NULL, 10) == 0)
    return false;
  return true;
}

int
ns_clone_flags (const struct plan *plan)
{
  int flags = CLONE_NEWNS;
  bool has_cgroupns = access ("/proc/self/ns/cgroup", F_OK) == 0;

  if (plan->unshare_user || (plan->unshare_user_try && userns_seems_possible ()))
    flags |= CLONE_NEWUSER;
  if (plan->unshare_ipc)
    flags |= CLONE_NEWIPC;
  if (plan->unshare_pid)
    flags |= CLONE_NEWPID;
  if (plan->unshare_net)
    flags |= CLONE_NEWNET;
  if (plan->unshare_uts)
    flags |= CLONE_NEWUTS;
  if (plan->unshare_cgroup && !has_cgroupns)
    die ("Cannot create new cgroup namespace because the kernel does not support it");
  if (plan->unshare_cgroup || (plan->unshare_cgroup_try && has_cgroupns))
    flags |= CLONE_NEWCGROUP;
  return flags;
}

pid_t
ns_clone (int flags)
{
  /* Raw clone with no new stack behaves like fork(); glibc's clone()
   * wrapper would need a separate stack. */
  pid_t pid = syscall (SYS_clone, (unsigned long) flags | SIGCHLD, NULL, NULL, NULL, NULL);
  if (pid >= 0)
    return pid;
  if ((flags & CLONE_NEWUSER) && errno == EINVAL)
    die ("Creating new namespace failed, likely because the kernel does not support user "
         "namespaces.  bwrap must be installed setuid on such systems.");
  if ((flags & CLONE_NEWUSER) && errno == EPERM)
    die ("No permissions to create a new namespace, likely because the kernel does not allow "
         "non-privileged user namespaces. On e.g. debian this can be enabled with "
         "'sysctl kernel.unprivileged_userns_clone=1'.");
  if (errno == ENOSPC)
    die ("Creating new namespace failed: nesting depth or /proc/sys/user/max_*_namespaces "
         "exceeded (ENOSPC)");
  die_with_error ("Creating new namespace failed");
}

/* --pidns.  setns(CLONE_NEWPID) never moves the caller, only its future
 * children, and the monitor must not be the one to change: every later
 * child of it (a sanitizer's helper thread included) would be born in the
 * joined namespace.  So a short-lived intermediate child joins instead
 * and creates the sandbox with CLONE_PARENT (the sandbox stays our own
 * child: we can wait for it, no subreaper needed).  With --unshare-pid
 * one more hop is needed, because a new pid namespace can only be made by
 * a process living in its parent (copy_pid_ns: EINVAL otherwise): the hop
 * is born in the joined namespace, also as our child.  Pids arrive as
 * SCM_CREDENTIALS, which the kernel translates into our pid namespace. */
pid_t
ns_clone_in_pidns (int pidns_fd, int flags)
{
  union
  {
    struct cmsghdr align;
    char buf[CMSG_SPACE (sizeof (struct ucred))];
  } control;
  int sv[2], one = 1, status;
  pid_t mid, hop = -1, pid = -1;

  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
    die_with_error ("socketpair");
  /* Set before the peer can send, so the messages carry credentials. */
  if (setsockopt (sv[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof one) != 0)
    die_with_error ("setsockopt(SO_PASSCRED)");
  mid = fork ();
  if (mid < 0)
    die_with_error ("Can't fork for --pidns");
  if (mid == 0)
    {
      (void) close (sv[0]);
      if (setns (pidns_fd, CLONE_NEWPID) != 0)
        die_with_error ("Setting pidns failed");
      if (flags & CLONE_NEWPID)
        {
          if (ns_clone (CLONE_PARENT) != 0)
            _exit (0);
          if (write (sv[1], "h", 1) != 1)
            die_with_error ("Can't send pid for --pidns");
          /* EINVAL here if the joined pid namespace does not belong to
           * an ancestor of our user namespace (e.g. --pidns without
           * --userns). */
          if (unshare (CLONE_NEWPID) != 0)
            die_with_error ("unshare pid ns");
        }
      if (ns_clone ((flags & ~CLONE_NEWPID) | CLONE_PARENT) != 0)
        _exit (0);
      /* The sandbox: the kernel attaches our credentials to this byte. */
      if (write (sv[1], "p", 1) != 1)
        die_with_error ("Can't send pid for --pidns");
      (void) close (sv[1]);
      return 0;
    }
  (void) close (sv[1]);
  while (pid <= 0)
    {
      char byte = 0;
      struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
      struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                            .msg_control = control.buf, .msg_controllen = sizeof control.buf };
      struct cmsghdr *cmsg;
      pid_t sender = -1;
      ssize_t n;

      do
        n = recvmsg (sv[0], &msg, MSG_CMSG_CLOEXEC);
      while (n < 0 && errno == EINTR);
      if (n != 1)
        break;   /* EOF: an intermediate child died and said why */
      for (cmsg = CMSG_FIRSTHDR (&msg); cmsg != NULL; cmsg = CMSG_NXTHDR (&msg, cmsg))
        if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_CREDENTIALS)
          {
            struct ucred cred;
            memcpy (&cred, CMSG_DATA (cmsg), sizeof cred);
            sender = cred.pid;
          }
      if (byte == 'h')
        hop = sender;
      else
        pid = sender;
    }
  (void) close (sv[0]);
  while (waitpid (mid, &status, 0) < 0 && errno == EINTR)
    ;
  while (hop > 0 && waitpid (hop, &status, 0) < 0 && errno == EINTR)
    ;
  if (pid <= 0)
    _exit (1);
  return pid;
}

void
ns_write_id_maps (int proc_fd, uid_t inside_uid, uid_t outside_uid,
                  gid_t inside_gid, gid_t outside_gid)
{
  char map[64];
  int r;

  /* An unprivileged process may map only its own ids, and a gid map only
   * after giving up setgroups(2): otherwise dropping a supplementary group
   * could grant access that the group was denying. */
  r = write_file_at (proc_fd, "self/setgroups", "deny");
  if (r < 0 && r != -ENOENT)
    {
      errno = -r;
      die_with_error ("error writing to setgroups");
    }
  snprintf (map, sizeof map, "%u %u 1\n", (unsigned) inside_uid, (unsigned) outside_uid);
  r = write_file_at (proc_fd, "self/uid_map", map);
  if (r < 0)
    {
      errno = -r;
      die_with_error ("setting up uid map");
    }
  snprintf (map, sizeof map, "%u %u 1\n", (unsigned) inside_gid, (unsigned) outside_gid);
  r = write_file_at (proc_fd, "self/gid_map", map);
  if (r < 0)
    {
      errno = -r;
      die_with_error ("setting up gid map");
    }
}

/* Enter a nested user namespace mapping inside ids to the current ones.
 * Used after the root is built: --dev needs uid 0 mapped while devpts is
 * mounted, the command must still see the requested --uid. */
static void
nest_user (int proc_fd, uid_t inside_uid, gid_t inside_gid)
{
  uid_t uid = getuid ();
  gid_t gid = getgid ();

  if (unshare (CLONE_NEWUSER) != 0)
    die_with_error ("unshare user ns");
  ns_write_id_maps (proc_fd, inside_uid, uid, inside_gid, gid);
}

void
ns_join_before_clone (const struct plan *plan)
{
  if (plan->userns_fd >= 0 && setns (plan->userns_fd, CLONE_NEWUSER) != 0)
    {
      if (errno == EINVAL)
        die ("Joining the specified user namespace failed, it might not be a descendant of "
             "the current user namespace.");
      die_with_error ("Joining specified user namespace failed");
    }
  /* --pidns is joined by ns_clone_in_pidns, not here. */
}

static void
limit_userns (int proc_fd)
{
  int r;

  /* The limit is per user namespace and applies to its descendants: with
   * 1 here and our own move into a nested namespace (which uses that one
   * slot), nothing below can create another, and the nested namespace has
   * no privilege over this sysctl to raise it again. */
  r = write_file_at (proc_fd, "sys/user/max_user_namespaces", "1");
  if (r == -ENOENT || r == -EACCES || r == -EPERM)
    {
      errno = -r;
      die_with_error ("cannot open /proc/sys/user/max_user_namespaces");
    }
  if (r < 0)
    {
      errno = -r;
      die_with_error ("sysctl user.max_user_namespaces = 1");
    }
}

void
ns_finish_user (const struct plan *plan, int proc_fd, bool nest)
{
  if (plan->userns2_fd >= 0 && setns (plan->userns2_fd, CLONE_NEWUSER) != 0)
    die_with_error ("Setting userns2 failed");
  /* One nested level serves both: the --dev remap back to the requested
   * ids and --disable-userns, as in bubblewrap (uid_map inside then reads
   * "<uid> 0 1" with --dev, "<uid> <uid> 1" without). */
  if (plan->disable_userns)
    limit_userns (proc_fd);
  if (nest || plan->disable_userns)
    nest_user (proc_fd, plan->uid, plan->gid);
  if (plan->disable_userns || plan->assert_userns_disabled)
    {
      /* Succeeding would leave us in a namespace we did not plan, but we
       * abort right away in that case. */
      if (unshare (CLONE_NEWUSER) == 0)
        die ("creation of new user namespaces was not disabled as requested");
    }
}

void
ns_switch_ids (uid_t uid, gid_t gid)
{
  /* Keep the permitted set across setresuid so caps_apply_final() can
   * still choose the command's capabilities afterwards. */
  if (prctl (PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0)
    die_with_error ("prctl(PR_SET_KEEPCAPS)");
  if (getgid () != gid && setresgid (gid, gid, gid) != 0)
    die_with_error ("unable to switch to gid %u", (unsigned) gid);
  if (getuid () != uid && setresuid (uid, uid, uid) != 0)
    die_with_error ("unable to switch to uid %u", (unsigned) uid);
  (void) prctl (PR_SET_KEEPCAPS, 0, 0, 0, 0);
}
