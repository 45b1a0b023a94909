package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/stox-dev/stox/api"
)

// importOptions are what `stox import` is told.
type importOptions struct {
	File, Photos, API, Key string
	// Wait follows the import until the pipeline is finished with every product it
	// queued; Every is how often it asks.
	Wait     bool
	Every    time.Duration
	Timeout  time.Duration
	Out      io.Writer
	Terminal bool
}

// errBadRows is returned when the import succeeded but some rows were not queued.
var errBadRows = errors.New("rows were bad and not queued")

func importCommand() *cobra.Command {
	var o importOptions
	cmd := &cobra.Command{
		Use:   "import FILE",
		Short: "Import a catalogue (CSV or XLSX, one product a row; photos as URLs or in --photos ZIP) and follow it through the pipeline",
		Long: `import sends FILE to POST /v1/imports, which checks every row before it queues any
and queues only the rows that differ from their SKU's current revision (importing the
same file again queues nothing). It prints the bad rows with their reasons, then the
progress (images done, listings decided per marketplace) until the pipeline is
finished with every product it queued. It exits non-zero when a row was bad.
The template: GET /v1/imports/template.csv (or .xlsx).`,
		Args:         cobra.ExactArgs(1),
		SilenceUsage: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := loadConfig()
			if err != nil {
				return err
			}
			o.File = args[0]
			o.API = or(o.API, "http://"+loopback(c.HTTPAddr))
			if o.Key == "" && len(c.APIKeys) > 0 {
				o.Key = c.APIKeys[0]
			}
			o.Out = cmd.OutOrStdout()
			o.Terminal = isTerminal(os.Stdout) && o.Out == os.Stdout
			return runImport(cmd.Context(), o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Photos, "photos", "", "ZIP of the photos the catalogue names by file name")
	f.StringVar(&o.API, "api", "", "base URL of Stox's API (default http://STOX_HTTP_ADDR)")
	f.StringVar(&o.Key, "key", "", "bearer key of the API (default the first of STOX_API_KEYS)")
	f.BoolVar(&o.Wait, "wait", true, "follow the queued products until the pipeline is finished with them")
	f.DurationVar(&o.Every, "every", time.Second, "how often to ask for progress")
	f.DurationVar(&o.Timeout, "timeout", time.Hour, "stop following after this long")
	return cmd
}

// runImport posts the catalogue, prints its bad rows and follows its progress.
func runImport(ctx context.Context, o importOptions) error {
	acc, err := postImport(ctx, o)
	if err != nil {
		return err
	}
	fmt.Fprintf(o.Out, "import %s: %d rows, %d queued, %d unchanged (skipped), %d bad\n", acc.ID, acc.Rows, acc.Queued, acc.Skipped, len(acc.Bad))
	for _, b := range acc.Bad {
		fmt.Fprintf(o.Out, "  row %d %s: %s\n", b.Row, or(b.SKU, "(no SKU)"), b.Reason)
	}
	if o.Wait && acc.Queued > 0 {
		if err := followImport(ctx, o, acc.ID); err != nil {
			return err
		}
	}
	if len(acc.Bad) > 0 {
		return fmt.Errorf("%d %w (see above); fix them and import the file again: unchanged rows are skipped", len(acc.Bad), errBadRows)
	}
	return nil
}

// postImport sends the file (and the ZIP) as multipart, streaming them.
func postImport(ctx context.Context, o importOptions) (api.ImportAccepted, error) {
	var acc api.ImportAccepted
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		err := writePart(mw, "file", o.File)
		if err == nil && o.Photos != "" {
			err = writePart(mw, "photos", o.Photos)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(o.API, "/")+"/v1/imports", pr)
	if err != nil {
		return acc, err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if o.Key != "" {
		req.Header.Set("Authorization", "Bearer "+o.Key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return acc, fmt.Errorf("import %s: %w", o.File, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusAccepted {
		return acc, fmt.Errorf("import %s: %s", o.File, problemText(res))
	}
	if err := json.NewDecoder(res.Body).Decode(&acc); err != nil {
		return acc, fmt.Errorf("import %s: read answer: %w", o.File, err)
	}
	return acc, nil
}

// writePart copies the file at path into a part named name.
func writePart(mw *multipart.Writer, name, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w, err := mw.CreateFormFile(name, filepath.Base(path))
	if err != nil {
		return err
	}
	_, err = io.Copy(w, f)
	return err
}

// problemText says what an error answer says: its problem's detail, or its status.
func problemText(res *http.Response) string {
	var p struct {
		Detail string `json:"detail"`
	}
	body, _ := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if json.Unmarshal(body, &p) == nil && p.Detail != "" {
		return fmt.Sprintf("%s: %s", res.Status, p.Detail)
	}
	return fmt.Sprintf("%s: %s", res.Status, strings.TrimSpace(string(body)))
}

// followImport prints the import's progress every o.Every until it is done: one line
// redrawn in place on a terminal, a line per change elsewhere.
func followImport(ctx context.Context, o importOptions, id string) error {
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	last := ""
	for {
		p, err := getProgress(ctx, o, id)
		if err != nil {
			return err
		}
		line := progressLine(p)
		switch {
		case o.Terminal:
			fmt.Fprintf(o.Out, "\r\033[K%s", line)
		case line != last:
			fmt.Fprintln(o.Out, line)
		}
		last = line
		if p.Done {
			if o.Terminal {
				fmt.Fprintln(o.Out)
			}
			return nil
		}
		select {
		case <-ctx.Done():
			if o.Terminal {
				fmt.Fprintln(o.Out)
			}
			return fmt.Errorf("import %s not finished after %s: %s", id, o.Timeout, line)
		case <-time.After(o.Every):
		}
	}
}

// getProgress reads GET /v1/imports/{id}.
func getProgress(ctx context.Context, o importOptions, id string) (api.ImportProgress, error) {
	var p api.ImportProgress
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(o.API, "/")+"/v1/imports/"+id, nil)
	if err != nil {
		return p, err
	}
	if o.Key != "" {
		req.Header.Set("Authorization", "Bearer "+o.Key)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return p, fmt.Errorf("import %s progress: %w", id, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return p, fmt.Errorf("import %s progress: %s", id, problemText(res))
	}
	return p, json.NewDecoder(res.Body).Decode(&p)
}

// progressLine is a bar of the products the pipeline is finished with, then the
// images done and the listings accepted per marketplace.
func progressLine(p api.ImportProgress) string {
	const width = 30
	filled := width
	if p.Queued > 0 {
		filled = width * p.Settled / p.Queued
	}
	var listed []string
	for _, mp := range slices.Sorted(maps.Keys(p.Listings)) {
		decided := p.Listings[mp]["accepted"] + p.Listings[mp]["rejected"] + p.Listings[mp]["needs_input"]
		listed = append(listed, fmt.Sprintf("%s %d/%d", mp, p.Listed[mp], decided))
	}
	return fmt.Sprintf("[%s%s] %d/%d finished · images %d done %d failed · listed/decided: %s",
		strings.Repeat("#", filled), strings.Repeat(".", width-filled), p.Settled, p.Queued,
		p.ImagesDone, p.ImagesFailed, or(strings.Join(listed, ", "), "none yet"))
}
