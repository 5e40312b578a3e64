// Package transport is the agent's connection to the server's agent port: tRPC over HTTP exactly as
// the TypeScript agent sends it (agent/transport/{client,http-fetch,tls-pin,backoff}.ts).
//
// Wire format (tRPC v11 non-batched HTTP, superjson transformer):
//   - a mutation is POST <server>/api/trpc/<procedure> with content-type application/json and the body
//     {"json": <input>} (superjson of plain JSON); a query is GET with ?input=<the same, URI-encoded>;
//   - the answer is {"result":{"data":{"json": <output>, "meta"?: …}}} or
//     {"error":{"json":{"message", "code", "data":{"code", "httpStatus", …}}}};
//   - authorization: Bearer <host token>; one connection per request (no keep-alive, as node:http with
//     agent:false), no proxy, a deadline on every request, at most 4 MiB of answer.
//
// Client.Call(ctx, procedure, input, out) is the generic call for any agent procedure — every agent.*
// procedure on the server is a mutation (agent.enroll, agent.report, agent.jobs.next/start/renew/finish),
// so Call POSTs; Client.Query is the GET form. input is any value encoding/json can encode, or a
// json.RawMessage sent as is; out (a pointer, or nil) receives the output's "json". agent.jobs.next gets
// the long-poll deadline (30 s + TimeoutMs) like the TS client's second link; every other procedure
// TimeoutMs. A failure is a *CallError (ClassifyDeliveryError says retry or reject).
package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Options are the connection settings (agent/transport/client.ts AgentApiOptions).
type Options struct {
	// Server is e.g. http://127.0.0.1:3001 (the agent port); /api/trpc is appended.
	Server string
	// HostToken is the bearer token; "" only for enrol.
	HostToken string
	// TimeoutMs is the per-request deadline (default 15000).
	TimeoutMs int
	// TLS is the pinned server CA; required for https (plain http only to loopback).
	TLS *PinnedTLS
}

// Client calls the agent API.
type Client struct {
	base    string
	token   string
	timeout time.Duration
	http    *http.Client
}

// maxResponseBytes is the largest answer accepted (the server answers a few hundred bytes).
const maxResponseBytes = 4 * 1024 * 1024

// longPollProcedure waits up to 30 s on the server: its deadline is longer than a report's.
const longPollProcedure = "agent.jobs.next"

// TrpcURL is <server without trailing slashes>/api/trpc.
func TrpcURL(server string) string { return strings.TrimRight(server, "/") + "/api/trpc" }

// New checks the transport rules (a host token never travels in clear on a network, nor to a server
// whose CA is not the pinned one) and returns a client.
func New(opts Options) (*Client, error) {
	if p := TransportProblem(opts.Server, opts.TLS != nil); p != "" {
		return nil, errors.New(p)
	}
	u, err := url.Parse(opts.Server)
	if err != nil {
		return nil, err
	}
	timeout := 15 * time.Second
	if opts.TimeoutMs > 0 {
		timeout = time.Duration(opts.TimeoutMs) * time.Millisecond
	}
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: timeout}).DialContext,
		DisableKeepAlives:   true,
		DisableCompression:  true,
		TLSHandshakeTimeout: timeout,
		ForceAttemptHTTP2:   false,
	}
	if u.Scheme == "https" {
		tr.TLSClientConfig = opts.TLS.Config(u.Hostname())
	}
	// Redirects are not followed (node:http does not): a followed 3xx would re-send the token and the
	// report to wherever it points — plain http included, past TransportProblem — and the pinned-name
	// check would still be the first host's. A 3xx is answered as "not a tRPC response".
	noRedirects := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Client{base: TrpcURL(opts.Server), token: opts.HostToken, timeout: timeout, http: &http.Client{Transport: tr, CheckRedirect: noRedirects}}, nil
}

// CallError is a call that failed. Status is the HTTP status (the tRPC error's data.httpStatus when it
// has one, else the response's), 0 when no answer came (network down, timeout).
type CallError struct {
	Status int
	// Code is the tRPC error code name (e.g. INTERNAL_SERVER_ERROR), "" when none.
	Code    string
	Message string
}

func (e *CallError) Error() string { return e.Message }

// Call runs a mutation (POST). See the package comment.
func (c *Client) Call(ctx context.Context, procedure string, input any, out any) error {
	body, err := trpcInput(input)
	if err != nil {
		return err
	}
	return c.do(ctx, http.MethodPost, c.base+"/"+procedure, body, procedure, out)
}

// Query runs a query (GET with ?input=).
func (c *Client) Query(ctx context.Context, procedure string, input any, out any) error {
	target := c.base + "/" + procedure
	if input != nil {
		body, err := trpcInput(input)
		if err != nil {
			return err
		}
		target += "?input=" + url.QueryEscape(string(body))
	}
	return c.do(ctx, http.MethodGet, target, nil, procedure, out)
}

// trpcInput is superjson's serialisation of plain JSON: {"json": input}.
func trpcInput(input any) ([]byte, error) {
	raw, ok := input.(json.RawMessage)
	if !ok {
		b, err := json.Marshal(input)
		if err != nil {
			return nil, err
		}
		raw = b
	}
	out := make([]byte, 0, len(raw)+9)
	out = append(out, `{"json":`...)
	out = append(out, raw...)
	return append(out, '}'), nil
}

type trpcAnswer struct {
	Result *struct {
		Data *struct {
			JSON json.RawMessage `json:"json"`
		} `json:"data"`
	} `json:"result"`
	Error json.RawMessage `json:"error"`
}

type trpcErrorShape struct {
	JSON *struct {
		Message string `json:"message"`
		Data    *struct {
			Code       string `json:"code"`
			HTTPStatus any    `json:"httpStatus"`
		} `json:"data"`
	} `json:"json"`
}

func (c *Client) do(ctx context.Context, method, target string, body []byte, procedure string, out any) error {
	timeout := c.timeout
	if procedure == longPollProcedure {
		timeout += 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var reader io.Reader
	if body != nil {
		reader = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, reader)
	if err != nil {
		return &CallError{Message: err.Error()}
	}
	req.Header.Set("content-type", "application/json")
	if c.token != "" {
		req.Header.Set("authorization", "Bearer "+c.token)
	}
	res, err := c.http.Do(req)
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return &CallError{Message: fmt.Sprintf("no answer within %d ms", timeout.Milliseconds())}
		}
		return &CallError{Message: err.Error()}
	}
	defer res.Body.Close()
	text, err := io.ReadAll(io.LimitReader(res.Body, maxResponseBytes+1))
	if err != nil {
		return &CallError{Status: res.StatusCode, Message: err.Error()}
	}
	if len(text) > maxResponseBytes {
		return &CallError{Status: res.StatusCode, Message: fmt.Sprintf("response larger than %d bytes", maxResponseBytes)}
	}
	var answer trpcAnswer
	if err := json.Unmarshal(text, &answer); err != nil {
		return &CallError{Status: res.StatusCode, Message: fmt.Sprintf("HTTP %d: answer is not JSON: %v", res.StatusCode, err)}
	}
	if len(answer.Error) > 0 && string(answer.Error) != "null" {
		e := &CallError{Status: res.StatusCode, Message: fmt.Sprintf("HTTP %d", res.StatusCode)}
		var shape trpcErrorShape
		if json.Unmarshal(answer.Error, &shape) == nil && shape.JSON != nil {
			e.Message = shape.JSON.Message
			if d := shape.JSON.Data; d != nil {
				e.Code = d.Code
				// as classifyDeliveryError: data.httpStatus wins when present; a non-number there is
				// "no status" (retry), never the response's (a 400 would drop the report)
				switch s := d.HTTPStatus.(type) {
				case nil:
				case float64:
					e.Status = int(math.Max(-1, math.Min(s, 999))) // a JS number compares as such; int() of 1e300 is undefined
				default:
					e.Status = 0
				}
			}
		}
		return e
	}
	if res.StatusCode < 200 || res.StatusCode > 299 || answer.Result == nil {
		return &CallError{Status: res.StatusCode, Message: fmt.Sprintf("HTTP %d: not a tRPC response", res.StatusCode)}
	}
	if out == nil {
		return nil
	}
	var data json.RawMessage = []byte("null")
	if answer.Result.Data != nil && answer.Result.Data.JSON != nil {
		data = answer.Result.Data.JSON
	}
	if err := json.Unmarshal(data, out); err != nil {
		return &CallError{Status: res.StatusCode, Message: fmt.Sprintf("%s: unexpected answer: %v", procedure, err)}
	}
	return nil
}

// ReportOutput is agent.report's answer (server/contract/report.ts reportOutput).
type ReportOutput struct {
	Stored          bool     `json:"stored"`
	Duplicate       bool     `json:"duplicate"`
	SectionsChanged []string `json:"sectionsChanged"`
	Config          struct {
		HeartbeatSeconds float64 `json:"heartbeatSeconds"`
		// LatencySchedule is the agent latency schedule object, nil when none.
		LatencySchedule map[string]any `json:"latencySchedule"`
	} `json:"config"`
	// ConfigProblem is why Config is unusable ("" when it is fine): the answer came, so the report was
	// stored; its config had a wrong shape, and the daemon keeps its settings.
	ConfigProblem string `json:"-"`
}

// UnmarshalJSON never fails on a wrong member type. Why: a 2xx answer means the server stored the
// report; refusing the answer would resend that report forever and block every later one (the TS agent
// removes the report first and only then trips over a bad config).
func (o *ReportOutput) UnmarshalJSON(b []byte) error {
	var loose struct {
		Stored          json.RawMessage `json:"stored"`
		Duplicate       json.RawMessage `json:"duplicate"`
		SectionsChanged json.RawMessage `json:"sectionsChanged"`
		Config          json.RawMessage `json:"config"`
	}
	*o = ReportOutput{}
	if json.Unmarshal(b, &loose) != nil {
		o.ConfigProblem = "the answer is not an object"
		return nil
	}
	_ = json.Unmarshal(loose.Stored, &o.Stored)
	_ = json.Unmarshal(loose.Duplicate, &o.Duplicate)
	_ = json.Unmarshal(loose.SectionsChanged, &o.SectionsChanged)
	var config struct {
		HeartbeatSeconds json.RawMessage `json:"heartbeatSeconds"`
		LatencySchedule  json.RawMessage `json:"latencySchedule"`
	}
	if len(loose.Config) == 0 || json.Unmarshal(loose.Config, &config) != nil || string(loose.Config) == "null" {
		o.ConfigProblem = "config is not an object"
		return nil
	}
	if json.Unmarshal(config.HeartbeatSeconds, &o.Config.HeartbeatSeconds) != nil {
		o.ConfigProblem = "config.heartbeatSeconds is not a number"
	}
	if len(config.LatencySchedule) == 0 || json.Unmarshal(config.LatencySchedule, &o.Config.LatencySchedule) != nil {
		o.Config.LatencySchedule = nil
		o.ConfigProblem = "config.latencySchedule is neither an object nor null"
	}
	return nil
}

// Report sends one report (its JSON as spooled) with agent.report.
func (c *Client) Report(ctx context.Context, payload json.RawMessage) (*ReportOutput, error) {
	var out ReportOutput
	if err := c.Call(ctx, "agent.report", payload, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Failure says what to do with a report the server did not take (client.ts classifyDeliveryError):
// "retry" for no answer, 401/403 (a token fixed on the server side must find the reports still here),
// 408/429/5xx; "reject" for any other 4xx (resending cannot help and would block every later report).
type Failure struct {
	Action string
	// Status is 0 when no answer came.
	Status  int
	Message string
}

// ClassifyDeliveryError classifies err (a *CallError, or any error: no answer).
func ClassifyDeliveryError(err error) Failure {
	var ce *CallError
	if !errors.As(err, &ce) || ce.Status == 0 {
		return Failure{Action: "retry", Message: err.Error()}
	}
	s := ce.Status
	if s == 401 || s == 403 || s == 408 || s == 429 || s >= 500 {
		return Failure{Action: "retry", Status: s, Message: ce.Message}
	}
	if s >= 400 {
		return Failure{Action: "reject", Status: s, Message: ce.Message}
	}
	return Failure{Action: "retry", Status: s, Message: ce.Message}
}

// IsReportFault says "this report breaks the server" (500, 501, 505…) as opposed to "the server is
// away" (no answer, 502/503/504 from a proxy or an outage), which must never cost a report.
func IsReportFault(status int) bool {
	return status >= 500 && status != 502 && status != 503 && status != 504
}
