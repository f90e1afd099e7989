/* nook: rtnetlink requests through libmnl: links, addresses and the
   default route of the current network namespace.  */
#include <config.h>

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rtnl.h"
#include "utils.h"

/* One request, one acknowledgement: NLM_F_ACK makes the kernel answer every
   request with an error message (0 on success).  */
static int
rtnl_talk (struct nlmsghdr *nlh, const char *what, struct nook_error *err)
{
  struct mnl_socket *nl = mnl_socket_open (NETLINK_ROUTE);
  char buf[MNL_SOCKET_BUFFER_SIZE];
  unsigned seq = time (NULL), portid;
  ssize_t n;
  int r = 0;

  if (nl == NULL)
    return nook_error_errno (err, "%s: netlink socket", what);
  if (mnl_socket_bind (nl, 0, MNL_SOCKET_AUTOPID) < 0)
    {
      r = nook_error_errno (err, "%s: bind a netlink socket", what);
      goto out;
    }
  portid = mnl_socket_get_portid (nl);
  nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
  nlh->nlmsg_seq = seq;
  if (mnl_socket_sendto (nl, nlh, nlh->nlmsg_len) < 0)
    {
      r = nook_error_errno (err, "%s", what);
      goto out;
    }
  n = mnl_socket_recvfrom (nl, buf, sizeof buf);
  if (n < 0 || mnl_cb_run (buf, n, seq, portid, NULL, NULL) < 0)
    r = nook_error_errno (err, "%s", what);
out:
  mnl_socket_close (nl);
  return r;
}

static struct nlmsghdr *
link_msg (char *buf, int type, unsigned flags, int index)
{
  struct nlmsghdr *nlh = mnl_nlmsg_put_header (buf);
  struct ifinfomsg *ifm;

  nlh->nlmsg_type = type;
  nlh->nlmsg_flags = flags;
  ifm = mnl_nlmsg_put_extra_header (nlh, sizeof *ifm);
  ifm->ifi_family = AF_UNSPEC;
  ifm->ifi_index = index;
  return nlh;
}

int
nook_rtnl_bridge_add (const char *name, struct nook_error *err)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *nlh = link_msg (buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
  struct nlattr *info;

  mnl_attr_put_strz (nlh, IFLA_IFNAME, name);
  info = mnl_attr_nest_start (nlh, IFLA_LINKINFO);
  mnl_attr_put_strz (nlh, IFLA_INFO_KIND, "bridge");
  mnl_attr_nest_end (nlh, info);
  return rtnl_talk (nlh, "create the bridge", err);
}

int
nook_rtnl_veth_add (const char *name, const char *peer, pid_t peer_pid, const unsigned char *peer_mac,
                    struct nook_error *err)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *nlh = link_msg (buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
  struct nlattr *info, *data, *peer_info;
  struct ifinfomsg *pifm;

  mnl_attr_put_strz (nlh, IFLA_IFNAME, name);
  info = mnl_attr_nest_start (nlh, IFLA_LINKINFO);
  mnl_attr_put_strz (nlh, IFLA_INFO_KIND, "veth");
  data = mnl_attr_nest_start (nlh, IFLA_INFO_DATA);
  /* VETH_INFO_PEER carries a whole ifinfomsg and then the peer's attributes.  */
  peer_info = mnl_attr_nest_start (nlh, VETH_INFO_PEER);
  pifm = mnl_nlmsg_put_extra_header (nlh, sizeof *pifm);
  memset (pifm, 0, sizeof *pifm);
  pifm->ifi_family = AF_UNSPEC;
  mnl_attr_put_strz (nlh, IFLA_IFNAME, peer);
  mnl_attr_put_u32 (nlh, IFLA_NET_NS_PID, peer_pid);
  if (peer_mac)
    mnl_attr_put (nlh, IFLA_ADDRESS, 6, peer_mac);
  mnl_attr_nest_end (nlh, peer_info);
  mnl_attr_nest_end (nlh, data);
  mnl_attr_nest_end (nlh, info);
  return rtnl_talk (nlh, "create the veth pair", err);
}

int
nook_rtnl_link_setup (const char *name, const char *master, const char *newname, struct nook_error *err)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  unsigned index = if_nametoindex (name), mindex = 0;
  struct nlmsghdr *nlh;
  struct ifinfomsg *ifm;

  if (index == 0)
    return nook_error_errno (err, "interface `%s`", name);
  if (master && (mindex = if_nametoindex (master)) == 0)
    return nook_error_errno (err, "bridge `%s`", master);
  nlh = link_msg (buf, RTM_NEWLINK, 0, index);
  ifm = mnl_nlmsg_get_payload (nlh);
  ifm->ifi_change = IFF_UP;
  ifm->ifi_flags = IFF_UP;
  if (master)
    mnl_attr_put_u32 (nlh, IFLA_MASTER, mindex);
  if (newname)
    {
      /* A link is renamed while it is down; bring it up afterwards.  */
      ifm->ifi_change = ifm->ifi_flags = 0;
      mnl_attr_put_strz (nlh, IFLA_IFNAME, newname);
      if (rtnl_talk (nlh, "rename the interface", err) < 0)
        return -1;
      return nook_rtnl_link_setup (newname, NULL, NULL, err);
    }
  return rtnl_talk (nlh, "set up the interface", err);
}

int
nook_rtnl_addr_add (const char *name, struct in_addr addr, int prefix, struct nook_error *err)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *nlh = mnl_nlmsg_put_header (buf);
  struct ifaddrmsg *ifa;
  unsigned index = if_nametoindex (name);

  if (index == 0)
    return nook_error_errno (err, "interface `%s`", name);
  nlh->nlmsg_type = RTM_NEWADDR;
  nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
  ifa = mnl_nlmsg_put_extra_header (nlh, sizeof *ifa);
  ifa->ifa_family = AF_INET;
  ifa->ifa_prefixlen = prefix;
  ifa->ifa_scope = RT_SCOPE_UNIVERSE;
  ifa->ifa_index = index;
  mnl_attr_put_u32 (nlh, IFA_LOCAL, addr.s_addr);
  mnl_attr_put_u32 (nlh, IFA_ADDRESS, addr.s_addr);
  return rtnl_talk (nlh, "add the address", err);
}

int
nook_rtnl_route_default (struct in_addr gw, struct nook_error *err)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  struct nlmsghdr *nlh = mnl_nlmsg_put_header (buf);
  struct rtmsg *rtm;

  nlh->nlmsg_type = RTM_NEWROUTE;
  nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
  rtm = mnl_nlmsg_put_extra_header (nlh, sizeof *rtm);
  rtm->rtm_family = AF_INET;
  rtm->rtm_table = RT_TABLE_MAIN;
  rtm->rtm_protocol = RTPROT_BOOT;
  rtm->rtm_scope = RT_SCOPE_UNIVERSE;
  rtm->rtm_type = RTN_UNICAST;
  mnl_attr_put_u32 (nlh, RTA_GATEWAY, gw.s_addr);
  return rtnl_talk (nlh, "add the default route", err);
}
