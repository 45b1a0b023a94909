package sandbox

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
)

// writeReport writes a completed feed's processing report (the JSON_LISTINGS_FEED
// processing report v2): the issues of every message (or, for a FATAL feed, why it
// could not be processed, with no message ID), the summary, and when the feed's header
// asked for includedData, the listings items it created or updated with those parts,
// as getListingsItem shows them once processed. It is stored gzipped, as Amazon's
// reports are, and named by the feed's resultFeedDocumentId.
func (a *amazon) writeReport(f *azFeed) {
	issues := []map[string]any{}
	sum := map[string]any{}
	errs, warnings, accepted, invalid := 0, 0, 0, 0
	for _, reason := range f.fatal {
		issues = append(issues, map[string]any{"severity": "ERROR", "message": reason})
		errs++
	}
	var items []any
	included := reportIncluded(f.header)
	listed := map[string]bool{}
	for _, m := range f.messages {
		if len(f.fatal) > 0 {
			break
		}
		for _, is := range m.issues {
			out := map[string]any{"messageId": m.id, "sku": m.sku, "code": is.Code, "severity": is.Severity, "message": is.Message}
			if len(is.AttributeNames) > 0 {
				out["attributeName"] = is.AttributeNames[0]
			}
			issues = append(issues, out)
			switch is.Severity {
			case "ERROR":
				errs++
			case "WARNING":
				warnings++
			}
		}
		if !m.accepted() {
			invalid++
			continue
		}
		accepted++
		if len(included) > 0 && !listed[m.sku] {
			listed[m.sku] = true
			items = append(items, a.reportItem(m.sku, included))
		}
	}
	sum["errors"], sum["warnings"] = errs, warnings
	sum["messagesProcessed"], sum["messagesAccepted"], sum["messagesInvalid"] = accepted+invalid, accepted, invalid
	header := map[string]any{"sellerId": a.opts.SellerID, "version": "2.0", "feedId": f.id}
	report := map[string]any{"header": header, "issues": issues, "summary": sum}
	if len(included) > 0 {
		header["report"] = f.header["report"]
		sum["itemSummary"] = itemSummary(items)
		report["items"] = append([]any{}, items...)
	}
	a.feeds.next++
	d := &azDocument{id: fmt.Sprintf("amzn1.tortuga.4.eu.%d", a.feeds.next), contentType: "application/json; charset=UTF-8", uploaded: true, gzip: true}
	raw, _ := json.Marshal(report)
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, _ = zw.Write(raw)
	_ = zw.Close()
	d.body = b.Bytes()
	a.feeds.docs[d.id] = d
	f.resultDocID = d.id
}

// reportIncluded is the includedData a feed's header asked for (none without a
// report section).
func reportIncluded(header map[string]any) map[string]bool {
	out := map[string]bool{}
	rep, _ := header["report"].(map[string]any)
	list, _ := rep["includedData"].([]any)
	for _, v := range list {
		if s, ok := v.(string); ok {
			out[s] = true
		}
	}
	return out
}

// reportItem is one listings item of a report, with the parts the imitation keeps:
// summaries, attributes, issues and fulfillment availability.
func (a *amazon) reportItem(sku string, included map[string]bool) map[string]any {
	out := map[string]any{"sku": sku}
	l := a.items[sku]
	if l == nil {
		return out
	}
	v := l.live
	if v == nil {
		v = &azVersion{attributes: map[string]any{}}
	}
	return a.itemView(sku, l, v, included)
}

func itemSummary(items []any) map[string]any {
	errs, warnings := 0, 0
	for _, it := range items {
		issues, _ := it.(map[string]any)["issues"].([]AmazonIssue)
		for _, is := range issues {
			switch is.Severity {
			case "ERROR":
				errs++
			case "WARNING":
				warnings++
			}
		}
	}
	return map[string]any{"items": len(items), "errors": errs, "warnings": warnings}
}
