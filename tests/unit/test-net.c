/* Unit tests: --publish and --net parsing.  */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>

#include "lib/net.h"
#include "lib/netshare.h"
#include "lib/utils.h"

static void
publish_takes_host_ip_ports_and_protocol (void **state)
{
  struct nook_port_map p;
  struct nook_error err = { 0 };
  unsigned n;

  assert_int_equal (nook_port_parse ("8080:80", &p, &n, &err), 0);
  assert_string_equal (p.host_ip, "");
  assert_int_equal (p.host_port, 8080);
  assert_int_equal (p.port, 80);
  assert_int_equal (n, 1);
  assert_false (p.udp);
  assert_int_equal (nook_port_parse ("127.0.0.1:5353:53/udp", &p, &n, &err), 0);
  assert_string_equal (p.host_ip, "127.0.0.1");
  assert_int_equal (p.host_port, 5353);
  assert_int_equal (p.port, 53);
  assert_true (p.udp);
  assert_int_equal (nook_port_parse ("65535:1/tcp", &p, &n, &err), 0);
  assert_int_equal (p.host_port, 65535);
}

/* podman's other forms: PORT alone and IP::PORT (a host port chosen at
   start), ranges, bracketed IPv6.  */
static void
publish_takes_podman_forms (void **state)
{
  struct nook_port_map p;
  struct nook_error err = { 0 };
  unsigned n;

  assert_int_equal (nook_port_parse ("80", &p, &n, &err), 0);
  assert_int_equal (p.host_port, 0);
  assert_int_equal (p.port, 80);
  assert_int_equal (nook_port_parse ("127.0.0.1::80/udp", &p, &n, &err), 0);
  assert_string_equal (p.host_ip, "127.0.0.1");
  assert_int_equal (p.host_port, 0);
  assert_true (p.udp);
  assert_int_equal (nook_port_parse ("8000-8010:9000-9010", &p, &n, &err), 0);
  assert_int_equal (p.host_port, 8000);
  assert_int_equal (p.port, 9000);
  assert_int_equal (n, 11);
  assert_int_equal (nook_port_parse ("[::1]:8080:80", &p, &n, &err), 0);
  assert_string_equal (p.host_ip, "::1");
  assert_int_equal (p.host_port, 8080);
  assert_int_equal (nook_port_parse ("[fe80::1%1]::80", &p, &n, &err), -1);
  nook_error_release (&err);
  assert_int_equal (nook_port_parse ("[2001:db8::7]::80", &p, &n, &err), 0);
  assert_string_equal (p.host_ip, "2001:db8::7");
  assert_int_equal (p.host_port, 0);
}

static void
publish_text_joins_ranges (void **state)
{
  struct nook_port_map ports[4]
      = { { "", 8000, 80, false }, { "", 8001, 81, false }, { "::1", 9, 9, true }, { "", 8002, 82, false } };
  struct nook_net_spec ns = { .ports = ports, .n_ports = 4 };
  char *text = nook_port_maps_text (&ns);

  assert_string_equal (text, "0.0.0.0:8000-8001->80-81/tcp,[::1]:9->9/udp,0.0.0.0:8002->82/tcp");
  free (text);
}

static void
publish_rejects_bad_specs (void **state)
{
  static const char *const bad[] = { ":80",
                                     "8080:",
                                     "0:80",
                                     "65536:80",
                                     "8080:80/sctp",
                                     "a:80",
                                     "8080:80/",
                                     "1.2.3:8080:80",
                                     ":8080:80",
                                     "-1:80",
                                     "8080:+80",
                                     "",
                                     "8080:80:90:1",
                                     "::1:8080:80",
                                     "[::1]8080:80",
                                     "[1.2.3.4]:80:80",
                                     "80-70:80-70",
                                     "8000-8002:80",
                                     "8000-8002",
                                     "65535-65535:1-2",
                                     "[]:80:80",
                                     "::80",
                                     NULL };
  struct nook_port_map p;
  unsigned n;

  for (size_t i = 0; bad[i]; i++)
    {
      struct nook_error err = { 0 };
      if (nook_port_parse (bad[i], &p, &n, &err) != -1)
        fail_msg ("accepted `%s`", bad[i]);
      assert_non_null (err.msg);
      assert_non_null (strstr (err.msg, "--publish"));
      nook_error_release (&err);
    }
}

static void
net_modes_round_trip (void **state)
{
  static const char *const names[] = { "none", "host", "slirp4netns", "pasta", "auto", NULL };
  enum nook_net_mode m;

  for (size_t i = 0; names[i]; i++)
    {
      assert_int_equal (nook_net_mode_parse (names[i], &m), 0);
      assert_string_equal (nook_net_mode_name (m), names[i]);
    }
  assert_int_equal (nook_net_mode_parse ("bridge", &m), -1);
  assert_int_equal (nook_net_mode_parse ("", &m), -1);
}

static void
subnets_are_network_addresses_with_a_sane_prefix (void **state)
{
  static const char *const bad[] = { "10.89.0.1/24", "10.89.0.0",  "10.89.0.0/8", "10.89.0.0/30",
                                     "10.89.0.0/",   "10.89.0/24", "x/24",        "10.89.0.0/24x",
                                     "300.1.1.0/24", "",           NULL };
  struct in_addr net;
  int prefix;
  char a[INET_ADDRSTRLEN];

  assert_int_equal (nook_cidr_parse ("10.89.3.0/24", &net, &prefix), 0);
  assert_int_equal (prefix, 24);
  assert_string_equal (inet_ntop (AF_INET, &net, a, sizeof a), "10.89.3.0");
  assert_int_equal (nook_cidr_parse ("172.20.0.0/16", &net, &prefix), 0);
  assert_int_equal (nook_cidr_parse ("192.168.7.8/29", &net, &prefix), 0);
  for (size_t i = 0; bad[i]; i++)
    if (nook_cidr_parse (bad[i], &net, &prefix) != -1)
      fail_msg ("accepted `%s`", bad[i]);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (publish_takes_host_ip_ports_and_protocol),
    cmocka_unit_test (publish_takes_podman_forms),
    cmocka_unit_test (publish_text_joins_ranges),
    cmocka_unit_test (publish_rejects_bad_specs),
    cmocka_unit_test (net_modes_round_trip),
    cmocka_unit_test (subnets_are_network_addresses_with_a_sane_prefix),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
