package jsonx

import (
	"crypto/sha256"
	"encoding/hex"
)

// volatileKeys: leaves that move on their own between heartbeats and are left out of a section's
// identity hash (server/contract/canonical.ts VOLATILE_KEYS; keep the two equal).
var volatileKeys = map[string]map[string]bool{
	"irq":       {"total": true},
	"hugepages": {"free": true, "resv": true, "surplus": true},
}

// SHA256Hex is the hex SHA-256 of text.
func SHA256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// ContentHash is sha256 of canonicalJson(v): equal content, equal hash.
func ContentHash(v any) (string, error) {
	b, err := Marshal(v)
	if err != nil {
		return "", err
	}
	return SHA256Hex(b), nil
}

// SectionHash is the section's identity hash shared by agent and server: volatile leaves left out.
func SectionHash(section string, data any) (string, error) {
	omit := volatileKeys[section]
	if omit == nil || data == nil {
		return ContentHash(data)
	}
	b, err := MarshalOmit(data, omit)
	if err != nil {
		return "", err
	}
	return SHA256Hex(b), nil
}

// HasVolatileKeys: SectionHash leaves something out for this section.
func HasVolatileKeys(section string) bool {
	return volatileKeys[section] != nil
}
