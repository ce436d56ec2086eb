// Package netguard holds jianfu's two rules about network addresses: which
// addresses an outbound fetch may reach (never the server's own network
// unless an operator allows it, checked when the connection is dialled, so
// after DNS and on every redirect), and which address a request came from
// when it passed reverse proxies (the right-most X-Forwarded-For entry that
// is not one of the operator's proxies).
package netguard

import (
	"errors"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"syscall"
	"time"

	"jianfu"
)

// ParsePrefixes reads a comma-separated list of CIDR blocks or single
// addresses ("10.0.0.0/8, 192.168.1.5, fd00::/8"), as the command line's
// --trusted-proxies and --fetch-allow take them.
func ParsePrefixes(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if p, err := netip.ParsePrefix(item); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(item)
		if err != nil {
			return nil, jianfu.Errorf(jianfu.EINVALID, "“%s”不是IP地址或网段,应写作 10.0.0.0/8 或 192.168.1.5,多个用逗号分隔",
				"%q is not an IP address or CIDR block; write 10.0.0.0/8 or 192.168.1.5, separated by commas", item)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// contains reports whether any prefix holds a.
func contains(list []netip.Prefix, a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range list {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// reserved are blocks beyond the standard library's classes that never
// hold a public web site: "this network", shared address space (CGNAT),
// IETF protocol assignments, benchmarking, the old class E and broadcast,
// and IPv6's deprecated site-local, NAT64 and 6to4 forms that can wrap an
// internal IPv4 address.
var reserved = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("fec0::/10"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("2002::/16"),
}

// Internal reports whether a is an address of the server's own networks:
// loopback, private, link-local, multicast, unspecified or reserved, in
// IPv4 or IPv6, IPv4-mapped IPv6 included.
func Internal(a netip.Addr) bool {
	a = a.Unmap()
	return !a.IsValid() || a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsInterfaceLocalMulticast() || a.IsMulticast() || a.IsUnspecified() || contains(reserved, a)
}

// ErrInternal is the cause of a refused outbound connection.
var ErrInternal = errors.New("internal address refused")

// Outbound is the policy of outbound fetches: internal addresses are
// refused unless Allow holds them (intranet deployments, --fetch-allow).
type Outbound struct {
	Allow []netip.Prefix
}

// Permit returns nil when a fetch may connect to a, or an error that says
// why not and how an operator would allow it.
func (o Outbound) Permit(a netip.Addr) error {
	if !Internal(a) || contains(o.Allow, a) {
		return nil
	}
	return &jianfu.Error{Code: jianfu.EFORBIDDEN,
		Message: "拒绝访问内部地址 " + a.Unmap().String() + "(回环、内网、链路本地、组播或保留地址);内网部署可用 --fetch-allow 放行",
		English: "refused to connect to the internal address " + a.Unmap().String() + " (loopback, private, link-local, multicast or reserved); intranet deployments allow it with --fetch-allow"}
}

// control is a net.Dialer Control function: it runs after DNS resolution
// for every address actually dialled.
func (o Outbound) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &jianfu.Error{Code: jianfu.EFORBIDDEN, Message: "无法识别的连接地址 " + address, English: "unrecognised address " + address}
	}
	return o.Permit(ap.Addr())
}

// Dialer returns a dialer that refuses what Permit refuses.
func (o Outbound) Dialer(timeout time.Duration) *net.Dialer {
	return &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second, Control: o.control}
}

// Transport returns an HTTP transport for fetches of user-supplied
// addresses. It uses no proxy from the environment: a proxy would be the
// only address checked, and it would fetch the internal page itself.
func (o Outbound) Transport(timeout time.Duration) *http.Transport {
	return &http.Transport{
		Proxy:                 nil,
		DialContext:           o.Dialer(timeout).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          64,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   timeout,
		ExpectContinueTimeout: time.Second,
	}
}

// ClientAddr returns the address a request came from. When the peer is
// one of the trusted proxies, the X-Forwarded-For entries (every header
// line, in order) are read from the right: each trusted proxy appends the
// address it received from, so the right-most entry that is not a trusted
// proxy is the client; anything left of it is the client's own claim. A
// peer that is not trusted is the client, whatever it says.
func ClientAddr(remote string, forwarded []string, trusted []netip.Prefix) string {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !contains(trusted, peer) {
		return host
	}
	client := peer.Unmap().String()
	for i := len(forwarded) - 1; i >= 0; i-- {
		hops := strings.Split(forwarded[i], ",")
		for j := len(hops) - 1; j >= 0; j-- {
			a, err := netip.ParseAddr(strings.TrimSpace(hops[j]))
			if err != nil {
				return client // a trusted proxy never writes this: stop at the last good hop
			}
			client = a.Unmap().String()
			if !contains(trusted, a) {
				return client
			}
		}
	}
	return client
}

// FromTrusted reports whether the peer of a request is a trusted proxy,
// whose X-Forwarded-Proto may then be believed.
func FromTrusted(remote string, trusted []netip.Prefix) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	a, err := netip.ParseAddr(host)
	return err == nil && contains(trusted, a)
}
