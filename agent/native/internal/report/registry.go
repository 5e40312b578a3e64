package report

import (
	"nfvdeck/agent/internal/collectors/bios"
	"nfvdeck/agent/internal/collectors/hugepages"
	"nfvdeck/agent/internal/collectors/irq"
	"nfvdeck/agent/internal/collectors/kernel"
	"nfvdeck/agent/internal/collectors/kvm"
	"nfvdeck/agent/internal/collectors/power"
	"nfvdeck/agent/internal/collectors/resctrl"
	"nfvdeck/agent/internal/collectors/topology"
	"nfvdeck/agent/internal/collectors/vms"
	"nfvdeck/agent/internal/hostfs"
)

// Collector is one static-section collector: Read returns the section data, or nil when the source does
// not exist on this host (available:false, not an error); an error makes the section ok:false.
type Collector struct {
	Name string
	Read func(fs *hostfs.FS) (any, error)
}

// SectionCollectors is every static-section collector in report order (agent/collectors/registry.ts).
var SectionCollectors = []Collector{
	{"topology", topology.Read},
	{"kernel", kernel.Read},
	{"power", power.Read},
	{"irq", irq.Read},
	{"hugepages", hugepages.Read},
	{"bios", bios.Read},
	{"resctrl", resctrl.Read},
	{"kvm", kvm.Read},
	{"vms", vms.Read},
}
