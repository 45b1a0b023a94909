package main

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"github.com/stox-dev/stox/internal/testenv"
	"github.com/stox-dev/stox/topology"
)

// tmux drives one private tmux server (its own socket) for a test.
type tmux struct {
	t      *testing.T
	socket string
}

func (x tmux) run(args ...string) string {
	x.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", x.socket}, args...)...).CombinedOutput()
	require.NoError(x.t, err, "tmux %v: %s", args, out)
	return string(out)
}

// screen waits until the pane shows every one of want, and returns it.
func (x tmux) screen(want ...string) string {
	x.t.Helper()
	return x.screenWhere(fmt.Sprintf("%q", want), func(got string) bool {
		for _, w := range want {
			if !strings.Contains(got, w) {
				return false
			}
		}
		return true
	})
}

// screenWhere waits until the pane's text satisfies ok, and returns it.
func (x tmux) screenWhere(what string, ok func(string) bool) string {
	x.t.Helper()
	var got string
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if got = x.run("capture-pane", "-p", "-t", "m"); ok(got) {
			return got
		}
		time.Sleep(100 * time.Millisecond)
	}
	x.t.Fatalf("the screen never showed %s:\n%s", what, got)
	return ""
}

// TestMonitorScreen runs the built `stox monitor` in a 120×36 tmux window against a
// pipeline that handled three products and takes five more meanwhile, reads the
// screen of each view, switches with the keys and quits with q. STOX_UPDATE_DOCS=1 saves the queues view as
// docs/monitor.txt and docs/monitor.png, the README's screenshot.
func TestMonitorScreen(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		if testenv.Required() {
			t.Fatal("tmux is required (STOX_TEST_REQUIRE_SERVICES=1): apt-get install tmux")
		}
		t.Skip("no tmux")
	}
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "stox")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "%s", out)
	s := startStatusApp(t, baseConfig(t))
	s.uploadAndWait(t, 3)

	x := tmux{t: t, socket: testenv.Unique("stox-monitor")}
	// The shell stays after monitor ends, to show how it ended.
	x.run("-f", "/dev/null", "new-session", "-d", "-x", "120", "-y", "36", "-s", "m",
		bin+" monitor --every 500ms --rabbitmq-api off --targets "+s.admin+"; echo monitor exited $?; sleep 600")
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", x.socket, "kill-server").Run() })

	services := x.screen("[1 services]", "image,ai,seo,sync,amazon,trendyol,hepsiburada", "yes")
	assert.NotContains(t, services, "ERROR")
	// more products while it watches: queues and stages move
	for i := 3; i < 8; i++ {
		upload(t, s.api, i, 1)
	}
	x.run("send-keys", "-t", "m", "2")
	x.screen("[2 queues]", "QUEUE (memory)", topology.QueueSEOGeneration)
	// the second report on has rates: messages a second published to image_uploads
	queues := x.screenWhere("a rate", regexp.MustCompile(`image_uploads +\d+ +\d+ +1 +\d+\.\d `).MatchString)
	x.run("send-keys", "-t", "m", "Tab")
	x.screen("[3 metrics]", "STAGE", "image intake", "MARKETPLACE", "LISTINGS")
	x.run("send-keys", "-t", "m", "4")
	x.screen("[4 products]", "products: 8", "images  ")
	x.run("send-keys", "-t", "m", "q")
	x.screen("monitor exited 0")

	if os.Getenv("STOX_UPDATE_DOCS") == "1" {
		queues = strings.TrimRight(queues, "\n") + "\n"
		require.NoError(t, os.WriteFile("../../docs/monitor.txt", []byte(queues), 0o644))
		require.NoError(t, writeScreenPNG("../../docs/monitor.png", queues))
	}
}

// writeScreenPNG draws screen, a terminal's text, light on dark in a fixed font.
func writeScreenPNG(path, screen string) error {
	face := basicfont.Face7x13
	lines := strings.Split(strings.TrimRight(screen, "\n"), "\n")
	cols := 0
	for _, l := range lines {
		cols = max(cols, len([]rune(l)))
	}
	const pad = 12
	img := image.NewRGBA(image.Rect(0, 0, cols*face.Advance+2*pad, len(lines)*face.Height+2*pad))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.RGBA{0x1e, 0x1e, 0x24, 0xff}), image.Point{}, draw.Src)
	d := font.Drawer{Dst: img, Src: image.NewUniform(color.RGBA{0xe6, 0xe6, 0xe6, 0xff}), Face: face}
	for i, l := range lines {
		d.Dot = fixed.P(pad, pad+i*face.Height+face.Ascent)
		d.DrawString(l)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
