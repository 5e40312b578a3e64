// Package schema checks a section envelope against the section's contract schema before it is
// reported (what agent/report/collect.ts does with zod), so one bad collector makes its own section
// ok:false instead of the server refusing the whole report.
//
// The schema is sections.schema.json, generated from the zod contract by agent/native/schema-gen.ts
// (z.toJSONSchema; agent/native/schema.test.ts fails when it is stale) and embedded. The validator
// supports exactly the keywords that file uses — type (one or a list), properties, required,
// additionalProperties (false or a schema), propertyNames, items, anyOf, enum, minLength, maxLength,
// pattern, minimum, maximum, exclusiveMinimum, maxItems, plus the annotations $schema and $comment and
// x-patternMessage (a zod regex's own message, kept by the generator) —
// and refuses to compile a schema with any other keyword, so a contract change that needs a new one
// fails the tests instead of being ignored. Messages and paths follow zod 4's ("data.irqs.0.irq:
// Too big: expected number to be <=1000000"); string lengths count UTF-16 code units, as zod does.
// zod refinements (code) are not in JSON Schema: the file's $comment lists them.
package schema

import (
	_ "embed"
	"fmt"
	"sync"
)

//go:embed sections.schema.json
var sectionsSchemaJSON []byte

// maxProblems is how many problems a failed section reports (collect.ts keeps the first five issues).
const maxProblems = 5

var (
	compileOnce sync.Once
	sections    map[string]*node
	compileErr  error
)

func compiled() (map[string]*node, error) {
	compileOnce.Do(func() {
		var root *node
		root, compileErr = compileDocument(sectionsSchemaJSON)
		if compileErr != nil {
			return
		}
		sections = map[string]*node{}
		for _, p := range root.properties {
			sections[p.name] = p.schema
		}
	})
	return sections, compileErr
}

// ValidateSection returns up to five "path: message" problems, none when the envelope passes.
func ValidateSection(section string, envelope map[string]any) []string {
	all, err := compiled()
	if err != nil {
		return []string{fmt.Sprintf(": embedded schema does not compile: %v", err)}
	}
	n := all[section]
	if n == nil {
		return []string{fmt.Sprintf(": no schema for section %q", section)}
	}
	v := &validation{path: make([]segment, 0, 16)}
	v.check(n, envelope, true)
	return v.problems
}

// Sections lists the section names the embedded schema describes.
func Sections() ([]string, error) {
	root, err := compileDocument(sectionsSchemaJSON)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(root.properties))
	for _, p := range root.properties {
		names = append(names, p.name)
	}
	return names, nil
}
