package render

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The JSON output must match the schema the repository publishes in
// docs/report.schema.json, so the document and the code cannot drift.
func TestJSONMatchesSchema(t *testing.T) {
	path := filepath.Join("..", "..", "docs", "report.schema.json")
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("report.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile("report.schema.json")
	if err != nil {
		t.Fatalf("compile %s: %v", path, err)
	}
	for name, r := range map[string]Report{"sample": sample(), "hostile": hostile(), "empty": {Version: "dev"}} {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := JSON(&b, r); err != nil {
				t.Fatal(err)
			}
			v, err := jsonschema.UnmarshalJSON(&b)
			if err != nil {
				t.Fatal(err)
			}
			if err := schema.Validate(v); err != nil {
				t.Errorf("output does not match %s: %v", path, err)
			}
		})
	}
	// The schema rejects what it should: a status word that is not ours.
	var bad map[string]any
	var b bytes.Buffer
	JSON(&b, sample())
	json.Unmarshal(b.Bytes(), &bad)
	bad["findings"].([]any)[0].(map[string]any)["status"] = "ok"
	if err := schema.Validate(bad); err == nil {
		t.Error("schema accepted status \"ok\"")
	}
}
