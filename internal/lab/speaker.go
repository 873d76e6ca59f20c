package lab

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"time"

	"github.com/osrg/gobgp/v4/pkg/packet/bgp"
	"golang.org/x/sys/unix"

	"github.com/filtergen/filtergen/filtergen"
)

// session is one BGP session of a lab speaker, run inside the child
// process in the neighbor's namespace.
//
// Every message is encoded and decoded by gobgp's packet library
// (github.com/osrg/gobgp/v4/pkg/packet/bgp). The session itself is a
// minimal RFC 4271 FSM rather than gobgp's BgpServer because BgpServer
// always prepends its own AS on an eBGP session and never sends locally
// originated paths to route-server clients: it cannot send the empty,
// wrong-first-AS, AS_SET or third-party next-hop paths the lab needs.
type session struct {
	cfg sessionConfig

	mu          sync.Mutex
	conn        net.Conn
	established bool
	lastErr     string
	// rib is what the speaker announces now (its Adj-RIB-Out), resent
	// whole after a reconnect.
	rib map[netip.Prefix]Route
	// received is what the router announced to us (our Adj-RIB-In).
	received      map[netip.Prefix]Route
	sentUpdates   int
	sentWithdraws int
	// sentMessages counts the UPDATE messages written.
	sentMessages int
	// sessions counts how many times the session reached Established.
	sessions int
	// notification is the last NOTIFICATION the router sent.
	notification string
}

type sessionConfig struct {
	ID      string           `json:"id"`
	Local   netip.Addr       `json:"local"`
	Remote  netip.Addr       `json:"remote"`
	ASN     uint32           `json:"asn"`
	Family  filtergen.Family `json:"family"`
	RouteID netip.Addr       `json:"router_id"`
	// Password is the TCP MD5 key (RFC 2385) the policy gives the
	// session; empty for none.
	Password string `json:"password,omitempty"`
}

func (c sessionConfig) family() bgp.Family {
	if c.Family == filtergen.IPv6 {
		return bgp.RF_IPv6_UC
	}
	return bgp.RF_IPv4_UC
}

const holdTime = 30 * time.Second

// run connects and keeps the session up until ctx ends, reconnecting
// after the router closes it (a max-prefix restart).
func (s *session) run(ctx context.Context) {
	for ctx.Err() == nil {
		err := s.once(ctx)
		s.mu.Lock()
		s.established = false
		s.conn = nil
		if err != nil && ctx.Err() == nil {
			s.lastErr = err.Error()
		}
		s.mu.Unlock()
		select {
		case <-ctx.Done():
		case <-time.After(300 * time.Millisecond):
		}
	}
}

func (s *session) once(ctx context.Context) error {
	d := net.Dialer{
		LocalAddr: net.TCPAddrFromAddrPort(netip.AddrPortFrom(s.cfg.Local, 0)),
		Timeout:   2 * time.Second,
		Control: func(_, _ string, c syscall.RawConn) error {
			var serr error
			err := c.Control(func(fd uintptr) { serr = s.sockopts(int(fd)) })
			return errors.Join(err, serr)
		},
	}
	conn, err := d.DialContext(ctx, "tcp", netip.AddrPortFrom(s.cfg.Remote, 179).String())
	if err != nil {
		return err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	as2 := uint16(s.cfg.ASN)
	if s.cfg.ASN > 0xffff {
		as2 = bgp.AS_TRANS
	}
	open, err := bgp.NewBGPOpenMessage(as2, uint16(holdTime/time.Second), s.cfg.RouteID,
		[]bgp.OptionParameterInterface{bgp.NewOptionParameterCapability([]bgp.ParameterCapabilityInterface{
			bgp.NewCapMultiProtocol(s.cfg.family()),
			bgp.NewCapFourOctetASNumber(s.cfg.ASN),
		})})
	if err != nil {
		return err
	}
	if err := writeMsg(conn, open); err != nil {
		return err
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	m, err := readMsg(conn)
	if err != nil {
		return fmt.Errorf("waiting for OPEN: %w", err)
	}
	if err := s.notified(m); err != nil {
		return err
	}
	o, ok := m.Body.(*bgp.BGPOpen)
	if !ok {
		return fmt.Errorf("expected OPEN, got message type %d", m.Header.Type)
	}
	hold := time.Duration(min(o.HoldTime, uint16(holdTime/time.Second))) * time.Second
	if err := writeMsg(conn, bgp.NewBGPKeepAliveMessage()); err != nil {
		return err
	}
	// OpenConfirm: wait for the router's KEEPALIVE.
	for {
		m, err := readMsg(conn)
		if err != nil {
			return fmt.Errorf("waiting for KEEPALIVE: %w", err)
		}
		if err := s.notified(m); err != nil {
			return err
		}
		if m.Header.Type == bgp.BGP_MSG_KEEPALIVE {
			break
		}
	}
	s.mu.Lock()
	s.conn = conn
	s.established = true
	s.sessions++
	s.lastErr = ""
	s.received = map[netip.Prefix]Route{}
	var all []Route
	for _, r := range s.rib {
		all = append(all, r)
	}
	err = s.sendLocked(all, nil)
	s.mu.Unlock()
	if err != nil {
		return err
	}

	kctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		t := time.NewTicker(hold / 3)
		defer t.Stop()
		for {
			select {
			case <-kctx.Done():
				return
			case <-t.C:
				s.mu.Lock()
				err := writeMsg(conn, bgp.NewBGPKeepAliveMessage())
				s.mu.Unlock()
				if err != nil {
					conn.Close()
					return
				}
			}
		}
	}()
	for {
		if hold > 0 {
			conn.SetReadDeadline(time.Now().Add(hold))
		} else {
			conn.SetReadDeadline(time.Time{})
		}
		m, err := readMsg(conn)
		if err != nil {
			return err
		}
		if err := s.notified(m); err != nil {
			return err
		}
		if u, ok := m.Body.(*bgp.BGPUpdate); ok {
			s.learn(u)
		}
	}
}

// sockopts sets what a directly connected neighbor's router may
// require: TTL 255 (GTSM, RFC 5082, harmless without it) and the TCP MD5
// key.
func (s *session) sockopts(fd int) error {
	if s.cfg.Remote.Is4() {
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_IP, unix.IP_TTL, 255); err != nil {
			return err
		}
	} else if err := unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_UNICAST_HOPS, 255); err != nil {
		return err
	}
	if s.cfg.Password == "" {
		return nil
	}
	if len(s.cfg.Password) > unix.TCP_MD5SIG_MAXKEYLEN {
		return fmt.Errorf("TCP MD5 key longer than %d bytes", unix.TCP_MD5SIG_MAXKEYLEN)
	}
	sig := unix.TCPMD5Sig{Keylen: uint16(len(s.cfg.Password))}
	copy(sig.Key[:], s.cfg.Password)
	if s.cfg.Remote.Is4() {
		sig.Addr.Family = unix.AF_INET
		a := s.cfg.Remote.As4()
		copy(sig.Addr.Data[2:6], a[:])
	} else {
		sig.Addr.Family = unix.AF_INET6
		a := s.cfg.Remote.As16()
		copy(sig.Addr.Data[6:22], a[:])
	}
	return unix.SetsockoptTCPMD5Sig(fd, unix.IPPROTO_TCP, unix.TCP_MD5SIG, &sig)
}

// notified turns a NOTIFICATION into an error and records it.
func (s *session) notified(m *bgp.BGPMessage) error {
	n, ok := m.Body.(*bgp.BGPNotification)
	if !ok {
		return nil
	}
	msg := fmt.Sprintf("NOTIFICATION code %d subcode %d %q", n.ErrorCode, n.ErrorSubcode, n.Data)
	s.mu.Lock()
	s.notification = msg
	s.mu.Unlock()
	return errors.New("router sent " + msg)
}

// learn applies an UPDATE from the router to the Adj-RIB-In.
func (s *session) learn(u *bgp.BGPUpdate) {
	var path Path
	var nh netip.Addr
	var reach, unreach []bgp.PathNLRI
	for _, a := range u.PathAttributes {
		switch a := a.(type) {
		case *bgp.PathAttributeAsPath:
			for _, v := range a.Value {
				seg := Segment{}
				switch v := v.(type) {
				case *bgp.As4PathParam:
					seg.Set = v.Type == bgp.BGP_ASPATH_ATTR_TYPE_SET
					seg.ASNs = append(seg.ASNs, v.AS...)
				case *bgp.AsPathParam:
					seg.Set = v.Type == bgp.BGP_ASPATH_ATTR_TYPE_SET
					for _, x := range v.AS {
						seg.ASNs = append(seg.ASNs, uint32(x))
					}
				}
				path = append(path, seg)
			}
		case *bgp.PathAttributeNextHop:
			nh = a.Value
		case *bgp.PathAttributeMpReachNLRI:
			reach = append(reach, a.Value...)
			if len(a.Nexthop.String()) > 0 {
				nh = a.Nexthop
			}
		case *bgp.PathAttributeMpUnreachNLRI:
			unreach = append(unreach, a.Value...)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, w := range append(u.WithdrawnRoutes, unreach...) {
		if p, ok := nlriPrefix(w.NLRI); ok {
			delete(s.received, p)
		}
	}
	for _, n := range append(u.NLRI, reach...) {
		if p, ok := nlriPrefix(n.NLRI); ok {
			s.received[p] = Route{Prefix: p, Path: path, NextHop: nh}
		}
	}
}

func nlriPrefix(n bgp.NLRI) (netip.Prefix, bool) {
	if p, ok := n.(*bgp.IPAddrPrefix); ok {
		return p.Prefix, true
	}
	p, err := netip.ParsePrefix(n.String())
	return p, err == nil
}

// send announces routes (replacing any with the same prefix) and
// withdraws prefixes. It updates the Adj-RIB-Out even while the session
// is down; the next session sends it whole.
func (s *session) send(announce []Route, withdraw []netip.Prefix) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range announce {
		s.rib[r.Prefix] = r
	}
	var gone []netip.Prefix
	for _, p := range withdraw {
		if _, ok := s.rib[p]; ok {
			delete(s.rib, p)
			gone = append(gone, p)
		}
	}
	if !s.established {
		return nil
	}
	return s.sendLocked(announce, gone)
}

// sendLocked writes the UPDATEs; routes with the same attributes share
// one message, up to 4096 bytes each.
func (s *session) sendLocked(announce []Route, withdraw []netip.Prefix) error {
	fam := s.cfg.family()
	const batch = 200 // NLRIs per message: 200 IPv6 /48s fit in 4096 bytes
	for i := 0; i < len(withdraw); i += batch {
		chunk := withdraw[i:min(i+batch, len(withdraw))]
		var nlris []bgp.PathNLRI
		for _, p := range chunk {
			n, err := bgp.NewIPAddrPrefix(p)
			if err != nil {
				return err
			}
			nlris = append(nlris, bgp.PathNLRI{NLRI: n})
		}
		var m *bgp.BGPMessage
		if fam == bgp.RF_IPv4_UC {
			m = bgp.NewBGPUpdateMessage(nlris, nil, nil)
		} else {
			un, err := bgp.NewPathAttributeMpUnreachNLRI(fam, nlris)
			if err != nil {
				return err
			}
			m = bgp.NewBGPUpdateMessage(nil, []bgp.PathAttributeInterface{un}, nil)
		}
		if err := writeMsg(s.conn, m); err != nil {
			return err
		}
		s.sentWithdraws += len(chunk)
		s.sentMessages++
	}
	// Group by attributes so that one message carries many prefixes.
	groups := map[string][]Route{}
	var order []string
	for _, r := range announce {
		k := r.Path.String() + "|" + r.NextHop.String()
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], r)
	}
	for _, k := range order {
		rs := groups[k]
		for i := 0; i < len(rs); i += batch {
			chunk := rs[i:min(i+batch, len(rs))]
			m, err := s.update(chunk)
			if err != nil {
				return err
			}
			if err := writeMsg(s.conn, m); err != nil {
				return err
			}
			s.sentUpdates += len(chunk)
			s.sentMessages++
		}
	}
	return nil
}

// update builds one UPDATE for routes that share path and next hop.
func (s *session) update(rs []Route) (*bgp.BGPMessage, error) {
	fam := s.cfg.family()
	var segs []bgp.AsPathParamInterface
	for _, seg := range rs[0].Path {
		t := uint8(bgp.BGP_ASPATH_ATTR_TYPE_SEQ)
		if seg.Set {
			t = bgp.BGP_ASPATH_ATTR_TYPE_SET
		}
		// A segment holds at most 255 ASNs.
		for i := 0; i < len(seg.ASNs); i += 255 {
			segs = append(segs, bgp.NewAs4PathParam(t, seg.ASNs[i:min(i+255, len(seg.ASNs))]))
		}
	}
	nh := rs[0].NextHop
	if !nh.IsValid() {
		nh = s.cfg.Local
	}
	attrs := []bgp.PathAttributeInterface{
		bgp.NewPathAttributeOrigin(bgp.BGP_ORIGIN_ATTR_TYPE_IGP),
		bgp.NewPathAttributeAsPath(segs),
	}
	var nlris []bgp.PathNLRI
	for _, r := range rs {
		n, err := bgp.NewIPAddrPrefix(r.Prefix)
		if err != nil {
			return nil, err
		}
		nlris = append(nlris, bgp.PathNLRI{NLRI: n})
	}
	if fam == bgp.RF_IPv4_UC {
		a, err := bgp.NewPathAttributeNextHop(nh)
		if err != nil {
			return nil, err
		}
		attrs = append(attrs, a)
		return bgp.NewBGPUpdateMessage(nil, attrs, nlris), nil
	}
	mp, err := bgp.NewPathAttributeMpReachNLRI(fam, nlris, nh)
	if err != nil {
		return nil, err
	}
	attrs = append(attrs, mp)
	return bgp.NewBGPUpdateMessage(nil, attrs, nil), nil
}

func writeMsg(w io.Writer, m *bgp.BGPMessage) error {
	b, err := m.Serialize()
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

func readMsg(r io.Reader) (*bgp.BGPMessage, error) {
	hdr := make([]byte, bgp.BGP_HEADER_LENGTH)
	if _, err := io.ReadFull(r, hdr); err != nil {
		return nil, err
	}
	n := int(binary.BigEndian.Uint16(hdr[16:18]))
	if n < bgp.BGP_HEADER_LENGTH || n > bgp.BGP_MAX_EXTENDED_MESSAGE_LENGTH {
		return nil, fmt.Errorf("bad BGP message length %d", n)
	}
	body := make([]byte, n-bgp.BGP_HEADER_LENGTH)
	if _, err := io.ReadFull(r, body); err != nil {
		return nil, err
	}
	var h bgp.BGPHeader
	if err := h.DecodeFromBytes(hdr); err != nil {
		return nil, err
	}
	return bgp.ParseBGPBody(&h, body)
}
