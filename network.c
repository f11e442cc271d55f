/* SPDX-License-Identifier: LGPL-2.0-or-later
 * network.c: bring up loopback in the sandbox's new network namespace
 * with two rtnetlink requests.  Runs in the sandbox process, which holds
 * CAP_NET_ADMIN only over its own (empty) network namespace. */
#include "network.h"

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "utils.h"

struct nl_request
{
  struct nlmsghdr hdr;
  union
  {
    struct ifinfomsg link;
    struct ifaddrmsg addr;
  };
  char attrs[64];
};

static void
add_attr (struct nl_request *req, unsigned short type, const void *data, size_t len)
{
  struct rtattr *rta = (struct rtattr *) ((char *) req + NLMSG_ALIGN (req->hdr.nlmsg_len));
  rta->rta_type = type;
  rta->rta_len = RTA_LENGTH (len);
  memcpy (RTA_DATA (rta), data, len);
  req->hdr.nlmsg_len = NLMSG_ALIGN (req->hdr.nlmsg_len) + RTA_ALIGN (rta->rta_len);
}

/* Send one request and wait for its ACK; 0 or -errno from the kernel. */
static int
nl_transact (int sock, struct nl_request *req, unsigned seq)
{
  char buf[4096];
  struct sockaddr_nl dst = { .nl_family = AF_NETLINK };

  req->hdr.nlmsg_seq = seq;
  req->hdr.nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
  if (sendto (sock, req, req->hdr.nlmsg_len, 0, (struct sockaddr *) &dst, sizeof dst) < 0)
    return -errno;
  for (;;)
    {
      ssize_t n = recv (sock, buf, sizeof buf, 0);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -errno;
      for (struct nlmsghdr *h = (struct nlmsghdr *) buf; NLMSG_OK (h, (size_t) n);
           h = NLMSG_NEXT (h, n))
        {
          if (h->nlmsg_seq != seq)
            continue;
          if (h->nlmsg_type == NLMSG_ERROR)
            {
              struct nlmsgerr *e = NLMSG_DATA (h);
              return e->error;   /* 0 is the ACK */
            }
        }
    }
}

int
network_loopback_up (struct bwrap_error *err)
{
  struct sockaddr_nl local = { .nl_family = AF_NETLINK };
  struct nl_request req;
  struct in_addr addr = { htonl (INADDR_LOOPBACK) };
  cleanup_fd int sock = -1;
  int index, r;

  index = if_nametoindex ("lo");
  if (index <= 0)
    return bwrap_error_set (err, errno, "loopback: Failed to look up lo");
  sock = socket (AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (sock < 0)
    return bwrap_error_set (err, errno, "loopback: Failed to create NETLINK_ROUTE socket");
  if (bind (sock, (struct sockaddr *) &local, sizeof local) < 0)
    return bwrap_error_set (err, errno, "loopback: Failed to bind NETLINK_ROUTE socket");

  memset (&req, 0, sizeof req);
  req.hdr.nlmsg_len = NLMSG_LENGTH (sizeof req.addr);
  req.hdr.nlmsg_type = RTM_NEWADDR;
  req.hdr.nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
  req.addr.ifa_family = AF_INET;
  req.addr.ifa_prefixlen = 8;
  req.addr.ifa_flags = IFA_F_PERMANENT;
  req.addr.ifa_scope = RT_SCOPE_HOST;
  req.addr.ifa_index = index;
  add_attr (&req, IFA_LOCAL, &addr, sizeof addr);
  add_attr (&req, IFA_ADDRESS, &addr, sizeof addr);
  r = nl_transact (sock, &req, 1);
  if (r < 0 && r != -EEXIST)
    return bwrap_error_set (err, -r, "loopback: Failed RTM_NEWADDR");

  memset (&req, 0, sizeof req);
  req.hdr.nlmsg_len = NLMSG_LENGTH (sizeof req.link);
  req.hdr.nlmsg_type = RTM_NEWLINK;
  req.link.ifi_family = AF_UNSPEC;
  req.link.ifi_index = index;
  req.link.ifi_flags = IFF_UP;
  req.link.ifi_change = IFF_UP;
  r = nl_transact (sock, &req, 2);
  if (r < 0)
    return bwrap_error_set (err, -r, "loopback: Failed RTM_NEWLINK");
  return 0;
}
