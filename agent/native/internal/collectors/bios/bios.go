// Package bios collects the "bios" section (the Go port of agent/collectors/bios.ts with
// agent/bios/vendor-map.ts): identity from DMI (sys/class/dmi/id, and `dmidecode -t 0` as root on the
// real host) and the settings from an optional Redfish BMC (…/Systems/{id}/Bios "Attributes" = current;
// its "@Redfish.Settings".SettingsObject "Attributes" = pending) or an optional vendor export file,
// normalised to one vocabulary with the raw names and values kept.
//
// Every source is optional: a VM has no DMI settings and no BMC → the section is "not available".
// Configuration is the TS agent's environment: NFVDECK_REDFISH_URL, NFVDECK_REDFISH_SYSTEM (default
// "1"), NFVDECK_REDFISH_USER, NFVDECK_REDFISH_PASSWORD, NFVDECK_REDFISH_INSECURE (0|1|true|false),
// NFVDECK_BIOS_EXPORT (default etc/nfvdeck/bios-export.json under the root).
package bios

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"time"

	"nfvdeck/agent/internal/collectors/values"
	"nfvdeck/agent/internal/hostfs"
	"nfvdeck/agent/internal/jsonx"
)

const dmiDir = "sys/class/dmi/id"

// maxAttributes bounds the attributes kept from one source.
const maxAttributes = 4096

const (
	jsSpace = `[\t\n\v\f\r \x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}\x{feff}]`
	jsDot   = `[^\n\r\x{2028}\x{2029}]`
)

var (
	dmidecodeField = regexp.MustCompile(`^\t([^:]+):` + jsSpace + `*(` + jsDot + `*)$`)
	exportLine     = regexp.MustCompile(`^([A-Za-z0-9_.]+)` + jsSpace + `*=` + jsSpace + `*(` + jsDot + `*)$`)
)

// ParseDmidecode is parseDmidecodeBios: `dmidecode -t 0` text → the BIOS Information record; nil when
// there is none.
func ParseDmidecode(text string) map[string]any {
	lines := strings.Split(text, "\n")
	start := -1
	for i, l := range lines {
		if values.Trim(l) == "BIOS Information" {
			start = i
			break
		}
	}
	if start < 0 {
		return nil
	}
	fields := map[string]string{}
	characteristics := []string{}
	inChars := false
	for _, l := range lines[start+1:] {
		if values.Trim(l) == "" || strings.HasPrefix(l, "Handle ") {
			break
		}
		if strings.HasPrefix(l, "\t\t") {
			if inChars {
				characteristics = append(characteristics, jsonx.ClipText(values.Trim(l), 256))
			}
			continue
		}
		m := dmidecodeField.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		key := values.Trim(m[1])
		inChars = key == "Characteristics"
		if !inChars {
			fields[key] = jsonx.ClipText(values.Trim(m[2]), 256)
		}
	}
	f := func(k string) any {
		if v := fields[k]; v != "" {
			return v
		}
		return nil
	}
	if len(characteristics) > 128 {
		characteristics = characteristics[:128]
	}
	return map[string]any{
		"vendor":           f("Vendor"),
		"version":          f("Version"),
		"releaseDate":      f("Release Date"),
		"romSize":          f("ROM Size"),
		"biosRevision":     f("BIOS Revision"),
		"firmwareRevision": f("Firmware Revision"),
		"characteristics":  characteristics,
	}
}

var forbiddenNames = map[string]bool{"__proto__": true, "constructor": true, "prototype": true}

func isFinite(f float64) bool { return f == f && f-f == 0 }

// scalarAttributes keeps scalar attributes only (Redfish BIOS attributes are scalars); the others,
// refused names and those past maxAttributes are reported as warnings.
func scalarAttributes(obj *object, w *values.Warnings, where string) *object {
	out := newObject()
	n := 0
	for _, k := range obj.Keys() {
		v := obj.Value(k)
		if l := values.UTF16Len(k); forbiddenNames[k] || l == 0 || l > 256 {
			w.Add(where + ": attribute name refused: " + values.QuoteSliced(k, 40))
			continue
		}
		if n >= maxAttributes {
			w.Add(where + ": more than 4096 attributes, rest dropped")
			break
		}
		switch x := v.(type) {
		case nil, bool:
			out.Set(k, x)
		case float64:
			if !isFinite(x) {
				w.Add(where + ": attribute " + k + " is not a scalar")
				continue
			}
			out.Set(k, x)
		case string:
			out.Set(k, jsonx.ClipText(x, 1024))
		default:
			w.Add(where + ": attribute " + k + " is not a scalar")
			continue
		}
		n++
	}
	return out
}

type redfishBiosDoc struct {
	id             *string
	attributes     *object
	settingsObject *string
}

// parseRedfishBios: a Redfish Bios resource (parsed JSON) → attributes + the pending settings link.
func parseRedfishBios(doc any, w *values.Warnings) (redfishBiosDoc, error) {
	o, ok := doc.(*object)
	if !ok {
		return redfishBiosDoc{}, errors.New("Redfish Bios: not a JSON object")
	}
	attrsValue, _ := o.Get("Attributes")
	attrs, ok := attrsValue.(*object)
	if !ok {
		return redfishBiosDoc{}, errors.New(`Redfish Bios: no "Attributes" object`)
	}
	out := redfishBiosDoc{}
	if s, _ := o.Get("@Redfish.Settings"); s != nil {
		if so, ok := s.(*object); ok {
			if link, _ := so.Get("SettingsObject"); link != nil {
				if lo, ok := link.(*object); ok {
					if id, ok := lo.Value("@odata.id").(string); ok {
						out.settingsObject = &id
					}
				}
			}
		}
	}
	if id, ok := o.Value("@odata.id").(string); ok {
		out.id = &id
	}
	out.attributes = scalarAttributes(attrs, w, "Attributes")
	return out, nil
}

// ParseExport is parseBiosExport: a vendor export file → attributes. Accepts JSON with an "Attributes"
// object anywhere (Redfish Bios, HPE iLOrest `save` output), a Dell Server Configuration Profile
// (Components[FQDD "BIOS.*"].Attributes [{Name, Value}]) and "Name=Value" lines (Lenovo OneCLI
// `show BIOS`: "Processors.HyperThreading=Enable"; dots become "_").
func ParseExport(text string, w *values.Warnings) (map[string]any, error) {
	o, err := parseExport(text, w)
	if err != nil {
		return nil, err
	}
	return o.Plain(), nil
}

func parseExport(text string, w *values.Warnings) (*object, error) {
	t := values.Trim(text)
	if strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
		doc, err := parseJSON([]byte(t))
		if err != nil {
			msg := err.Error()
			if v8, failed := v8JSONError(t); failed {
				msg = v8 // the words JSON.parse uses
			}
			return nil, errors.New("BIOS export: invalid JSON: " + msg)
		}
		// Dell SCP
		if root, ok := doc.(*object); ok {
			if scp, ok := root.Value("SystemConfiguration").(*object); ok {
				if components, ok := scp.Value("Components").([]any); ok {
					for _, c := range components {
						co, ok := c.(*object)
						if !ok {
							continue
						}
						fqdd, ok := co.Value("FQDD").(string)
						attrs, isList := co.Value("Attributes").([]any)
						if !ok || !strings.HasPrefix(fqdd, "BIOS.") || !isList {
							continue
						}
						flat := newObject()
						for _, a := range attrs {
							if ao, ok := a.(*object); ok {
								if name, ok := ao.Value("Name").(string); ok {
									assign(flat, name, ao.Value("Value")) // a missing Value reads null (?? null)
								}
							}
						}
						return scalarAttributes(flat, w, "export"), nil
					}
					return nil, errors.New("BIOS export: Server Configuration Profile without a BIOS.Setup component")
				}
			}
		}
		// breadth-first search for an "Attributes" object (depth-limited)
		level := []any{doc}
		for depth := 0; depth < 6 && len(level) > 0; depth++ {
			var next []any
			for _, node := range level {
				switch x := node.(type) {
				case []any:
					if len(x) > 64 {
						x = x[:64]
					}
					next = append(next, x...)
				case *object:
					if attrs, ok := x.Value("Attributes").(*object); ok {
						return scalarAttributes(attrs, w, "export"), nil
					}
					keys := x.Keys()
					if len(keys) > 256 {
						keys = keys[:256]
					}
					for _, k := range keys {
						next = append(next, x.Value(k))
					}
				}
			}
			level = next
		}
		return nil, errors.New(`BIOS export: no "Attributes" object found`)
	}
	flat := newObject()
	for _, raw := range strings.Split(text, "\n") {
		l := values.Trim(raw)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if m := exportLine.FindStringSubmatch(l); m != nil {
			assign(flat, strings.ReplaceAll(m[1], ".", "_"), values.Trim(m[2]))
		}
	}
	if flat.Len() == 0 {
		return nil, errors.New("BIOS export: neither JSON nor Name=Value lines")
	}
	return scalarAttributes(flat, w, "export"), nil
}

// PendingChanges is pendingChanges: only pending values that differ from current.
func PendingChanges(current, pending *object) *object {
	out := newObject()
	if pending == nil {
		return out
	}
	for _, k := range pending.Keys() {
		v := pending.Value(k)
		if cur, ok := current.Get(k); !ok || cur != v {
			out.Set(k, v)
		}
	}
	return out
}

// source is where the settings came from.
type source struct {
	kind    string // "redfish" | "export-file"
	origin  string
	current *object
	pending *object
}

// build is buildBiosSection (pure).
func build(dmi map[string]any, dmidecode map[string]any, src *source, w *values.Warnings) map[string]any {
	attrs := newObject()
	var pendingSrc *object
	if src != nil {
		attrs, pendingSrc = src.current, src.pending
	}
	pending := PendingChanges(attrs, pendingSrc)
	anything := dmidecode != nil || src != nil
	for _, v := range dmi {
		if v != nil {
			anything = true
		}
	}
	var vendor any
	settings := []any{}
	if anything {
		biosVendor := dmi["biosVendor"]
		if biosVendor == nil && dmidecode != nil {
			biosVendor = dmidecode["vendor"]
		}
		v := DetectVendor(dmi["sysVendor"], biosVendor, attrs.Keys())
		vendor = v
		current := Normalise(v, attrs.Plain())
		var next []Normalised
		if pending.Len() > 0 {
			merged := make(map[string]any, attrs.Len()+pending.Len())
			for k, x := range attrs.Plain() {
				merged[k] = x
			}
			for k, x := range pending.Plain() {
				merged[k] = x
			}
			next = Normalise(v, merged)
		}
		for _, s := range current {
			var p any
			for _, n := range next {
				if n.Setting == s.Setting {
					if _, changed := pending.Get(n.RawName); changed {
						p = map[string]any{"value": n.Value, "rawValue": n.RawValue}
					}
					break
				}
			}
			settings = append(settings, map[string]any{"setting": s.Setting, "value": s.Value, "rawName": s.RawName, "rawValue": s.RawValue, "pending": p})
		}
	}
	var kind, origin any
	if src != nil {
		kind, origin = src.kind, src.origin
	}
	var dmidecodeValue any
	if dmidecode != nil {
		dmidecodeValue = dmidecode
	}
	return map[string]any{
		"dmi":               dmi,
		"dmidecode":         dmidecodeValue,
		"settingsSource":    kind,
		"settingsOrigin":    origin,
		"vendor":            vendor,
		"settings":          settings,
		"attributes":        attrs.Plain(),
		"pendingAttributes": pending.Plain(),
		"warnings":          w.Items,
	}
}

// SMBIOS tables do not change while the host runs: dmidecode is run once per process.
var (
	dmidecodeOnce sync.Once
	dmidecodeText string
	dmidecodeOk   bool
)

// limitedBuffer is execFile's maxBuffer: more than max bytes is an error.
type limitedBuffer struct {
	b   []byte
	max int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if len(l.b)+len(p) > l.max {
		return 0, errors.New("maxBuffer exceeded")
	}
	l.b = append(l.b, p...)
	return len(p), nil
}

func runDmidecode() (string, bool) {
	dmidecodeOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		out := &limitedBuffer{max: 1024 * 1024}
		errOut := &limitedBuffer{max: 1024 * 1024}
		cmd := exec.CommandContext(ctx, "dmidecode", "-t", "0")
		cmd.Stdout, cmd.Stderr = out, errOut
		// dmidecode missing or without SMBIOS tables (a VM) → simply not available
		if cmd.Run() == nil {
			dmidecodeText, dmidecodeOk = jsonx.DecodeUTF8(out.b), true
		}
	})
	return dmidecodeText, dmidecodeOk
}

// ReadBios is readBios: the section, or nil when there is nothing at all (no DMI, no dmidecode, no
// settings source, no warning).
func ReadBios(fs *hostfs.FS, opts Options) (any, error) {
	w := values.NewWarnings()
	dmi := map[string]any{}
	for _, f := range [][2]string{{"biosVendor", "bios_vendor"}, {"biosVersion", "bios_version"}, {"biosDate", "bios_date"}, {"sysVendor", "sys_vendor"}, {"productName", "product_name"}} {
		text, ok := fs.ReadTextOptional(dmiDir + "/" + f[1])
		dmi[f[0]] = values.WordOrNil(text, ok, 256)
	}
	wantDmidecode := os.Getuid() == 0 && fs.Root == "/"
	if opts.RunDmidecode != nil {
		wantDmidecode = *opts.RunDmidecode
	}
	var dmidecode map[string]any
	if wantDmidecode {
		if text, ok := runDmidecode(); ok {
			dmidecode = ParseDmidecode(text)
		}
	}

	var src *source
	if opts.Redfish != nil {
		cacheMs := DefaultRedfishCacheMs
		if opts.RedfishCacheMs != nil {
			cacheMs = *opts.RedfishCacheMs
		}
		now := opts.Now
		if now == nil {
			now = time.Now
		}
		r, err := fetchRedfishBiosCached(*opts.Redfish, w, cacheMs, now)
		if err != nil {
			// the BMC being down must not hide the DMI part: reported as a warning
			w.Add("Redfish: " + err.Error())
		} else {
			src = &source{kind: "redfish", origin: r.origin, current: r.current, pending: r.pending}
		}
	}
	if src == nil {
		file := DefaultExportFile
		if opts.ExportFile != nil {
			file = *opts.ExportFile
		}
		if text, ok := fs.ReadTextOptional(file); ok {
			if attrs, err := parseExport(text, w); err != nil {
				w.Add(file + ": " + err.Error())
			} else {
				src = &source{kind: "export-file", origin: file, current: attrs}
			}
		}
	}
	anything := dmidecode != nil || src != nil || len(w.Items) > 0
	for _, v := range dmi {
		if v != nil {
			anything = true
		}
	}
	if !anything {
		return nil, nil
	}
	return build(dmi, dmidecode, src, w), nil
}

// Read is the collector entry point: options from the environment (Redfish BMC / export file), all optional.
func Read(fs *hostfs.FS) (any, error) {
	opts, err := OptionsFromEnv(os.LookupEnv)
	if err != nil {
		return nil, err
	}
	return ReadBios(fs, opts)
}
