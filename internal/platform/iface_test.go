package platform

import (
	"strconv"
	"testing"
)

func TestCheckInterface(t *testing.T) {
	tests := []struct {
		platform, name string
		ok             bool
		ifd            string
		unit           int
	}{
		{"junos", "xe-0/0/1", true, "xe-0/0/1", 0},
		{"junos", "xe-0/0/1.100", true, "xe-0/0/1", 100},
		{"junos", "et-0/0/0:1.20", true, "et-0/0/0:1", 20},
		{"junos", "ae0.100", true, "ae0", 100},
		{"junos", "irb.5", true, "irb", 5},
		{"junos", "xe-0/0/1.", false, "", 0},
		{"junos", "xe-0/0/1.01", false, "", 0},
		{"junos", "xe-0/0/1.1073741824", false, "", 0},
		{"junos", "xe-0/0", false, "", 0},
		{"junos", "eth1", true, "eth1", 0},
		{"junos", "Xe-0/0/1", false, "", 0},
		{"junos", "xe-0/0/1;", false, "", 0},
		{"bird2", "eth1", true, "", 0},
		{"bird2", "vlan100.cust", true, "", 0},
		{"bird2", "xe-0/0/1", false, "", 0},
		{"bird2", "abcdefghijklmnop", false, "", 0},
		{"bird2", "abcdefghijklmno", true, "", 0},
		{"bird2", "eth 1", false, "", 0},
		{"iosxe", "GigabitEthernet0/0/1.100", true, "", 0},
		{"iosxe", "Port-channel10", true, "", 0},
		{"iosxr", "TenGigE0/0/0/1", true, "", 0},
		{"iosxr", "Bundle-Ether1.200", true, "", 0},
		{"nxos", "Ethernet1/1", true, "", 0},
		{"nxos", "Ethernet1/49:2", true, "", 0},
		{"iosxe", "eth1", true, "", 0},
		{"iosxe", "TenGigabitEthernet0/0/1 ip", false, "", 0},
		{"iosxr", "xe-0/0/1", false, "", 0},
		{"nxos", "Ethernet1/1.", false, "", 0},
		{"iosxe", "-Gi0/1", false, "", 0},
		{"iosxr", "TenGigE", false, "", 0},
	}
	for _, tt := range tests {
		err := CheckInterface(tt.platform, tt.name)
		if (err == nil) != tt.ok {
			t.Errorf("CheckInterface(%q, %q) = %v, want ok %v", tt.platform, tt.name, err, tt.ok)
		}
		if tt.ok && tt.platform == "junos" {
			ifd, unit, _ := JunosInterface(tt.name)
			if ifd != tt.ifd || unit != tt.unit {
				t.Errorf("JunosInterface(%q) = %q, %d; want %q, %d", tt.name, ifd, unit, tt.ifd, tt.unit)
			}
		}
	}
}

// FuzzJunosInterface checks that an accepted name splits into an IFD and
// unit that render back to an accepted name, and that CheckInterface
// agrees with JunosInterface.
func FuzzJunosInterface(f *testing.F) {
	for _, s := range []string{"xe-0/0/1", "xe-0/0/1.100", "ae0", "irb.5", "et-0/0/0:1.20", "x.", "-0/0/0", "xe-0/0/1.01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		ifd, unit, err := JunosInterface(name)
		if (err == nil) != (CheckInterface("junos", name) == nil) {
			t.Fatalf("JunosInterface and CheckInterface disagree on %q", name)
		}
		if err != nil {
			return
		}
		if unit < 0 || unit > MaxJunosUnit || ifd == "" {
			t.Fatalf("%q: ifd %q unit %d", name, ifd, unit)
		}
		for i := 0; i < len(ifd); i++ {
			if c := ifd[i]; c == ' ' || c == ';' || c == '{' || c == '}' || c == '"' || c == '.' {
				t.Fatalf("%q: IFD %q holds %q", name, ifd, c)
			}
		}
		back := ifd
		if name != ifd {
			back = ifd + "." + strconv.Itoa(unit)
		}
		if back != name {
			t.Fatalf("%q renders back as %q", name, back)
		}
	})
}
