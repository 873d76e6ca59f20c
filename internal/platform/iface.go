package platform

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// MaxLinuxInterface is the longest Linux interface name (IFNAMSIZ-1).
const MaxLinuxInterface = 15

// CheckInterface reports why name is not an interface name on the
// platform. Junos takes IFD or IFD.unit ("xe-0/0/1", "ae0.100",
// "et-0/0/0:1.20"); Linux (bird2, whose anti-spoofing goes to nftables)
// takes at most 15 characters without "/", ":" or spaces. Other
// platforms take letters, digits and / . _ : -, at most 64.
func CheckInterface(platform, name string) error {
	switch platform {
	case "junos":
		_, _, err := JunosInterface(name)
		return err
	case "bird2", "frr", "openbgpd":
		if name == "" || len(name) > MaxLinuxInterface {
			return fmt.Errorf("Linux interface %s: want 1 to %d characters", strconv.Quote(name), MaxLinuxInterface)
		}
		for i := 0; i < len(name); i++ {
			c := name[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-' || c == '@') {
				return fmt.Errorf("Linux interface %s: character %s not allowed (letters, digits, . _ - @)", strconv.Quote(name), strconv.QuoteRune(rune(c)))
			}
		}
		if name == "." || name == ".." {
			return fmt.Errorf("Linux interface %s: not a name", strconv.Quote(name))
		}
		return nil
	case "iosxe", "iosxr", "nxos":
		if !ciscoIface.MatchString(name) {
			return fmt.Errorf("Cisco interface %s: want a type and its numbers, such as TenGigabitEthernet0/0/1.100, TenGigE0/0/0/1, Bundle-Ether1 or Ethernet1/1", strconv.Quote(name))
		}
		return nil
	}
	if name == "" || len(name) > 64 {
		return fmt.Errorf("interface %s: want 1 to 64 characters", strconv.Quote(name))
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("/._:-", c) >= 0) {
			return fmt.Errorf("interface %s: character %s not allowed", strconv.Quote(name), strconv.QuoteRune(rune(c)))
		}
	}
	return nil
}

// ciscoIface is a Cisco interface name: a type of letters (and inner
// hyphens: Bundle-Ether, Port-channel), then slot/port numbers separated
// by "/" (NX-OS breakouts by ":"), then an optional ".SUBINTERFACE".
var ciscoIface = regexp.MustCompile(`^[A-Za-z][A-Za-z]*(-[A-Za-z]+)*[0-9]+([/:][0-9]+)*(\.[0-9]+)?$`)

// MaxJunosUnit is the highest logical unit number Junos takes.
const MaxJunosUnit = 1073741823

// JunosInterface splits a Junos interface name into the physical
// interface (IFD) and the logical unit, 0 when name has none: "xe-0/0/1.100"
// is xe-0/0/1 unit 100. The IFD is a media type of lower-case letters,
// then either a number (ae0, irb, lo0) or "-FPC/PIC/PORT" with an optional
// ":CHANNEL".
func JunosInterface(name string) (ifd string, unit int, err error) {
	bad := func(why string) (string, int, error) {
		return "", 0, fmt.Errorf("Junos interface %s: %s (want IFD or IFD.unit, such as xe-0/0/1.100 or ae0)", strconv.Quote(name), why)
	}
	ifd = name
	if i := strings.IndexByte(name, '.'); i >= 0 {
		ifd = name[:i]
		u := name[i+1:]
		if u == "" || len(u) > 10 || strings.TrimLeft(u, "0123456789") != "" || (len(u) > 1 && u[0] == '0') {
			return bad("bad unit number")
		}
		n, perr := strconv.Atoi(u)
		if perr != nil || n > MaxJunosUnit {
			return bad("unit number out of range")
		}
		unit = n
	}
	i := 0
	for i < len(ifd) && ifd[i] >= 'a' && ifd[i] <= 'z' {
		i++
	}
	if i == 0 || i > 8 {
		return bad("no media type")
	}
	rest := ifd[i:]
	digits := func(s string) bool {
		return s != "" && len(s) <= 5 && strings.TrimLeft(s, "0123456789") == ""
	}
	switch {
	case rest == "" || digits(rest):
		// irb, ae0, lo0
	case rest[0] == '-':
		port := rest[1:]
		if j := strings.IndexByte(port, ':'); j >= 0 {
			if !digits(port[j+1:]) {
				return bad("bad channel")
			}
			port = port[:j]
		}
		parts := strings.Split(port, "/")
		if len(parts) != 3 {
			return bad("want FPC/PIC/PORT after the media type")
		}
		for _, p := range parts {
			if !digits(p) {
				return bad("want FPC/PIC/PORT numbers")
			}
		}
	default:
		return bad("unexpected characters after the media type")
	}
	return ifd, unit, nil
}
