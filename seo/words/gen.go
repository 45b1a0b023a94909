//go:build ignore

// gen writes tr.txt, the Turkish word list, from Debian's Turkish hunspell dictionary
// (package hunspell-tr, from LibreOffice's dictionaries; MPL 2.0, see README.md):
//
//	apt-get install hunspell-tr
//	go run gen.go [/usr/share/hunspell/tr_TR] > tr.txt
//
// It spells out every word the dictionary holds (each stem, and the stem with each
// suffix its flags allow), lowercased the Turkish way, and keeps what words.Reduce
// keeps of them. Where two words differ only in ı and i ("pil", "pıl"), the one whose
// stem takes more suffixes, the likelier in a product's name, comes first and wins.
package main

import (
	"bufio"
	"cmp"
	"fmt"
	"os"
	"slices"
	"strings"
	"unicode"

	"github.com/stox-dev/stox/seo/words"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run() error {
	base := "/usr/share/hunspell/tr_TR"
	if len(os.Args) > 1 {
		base = os.Args[1]
	}
	suffixes, err := readAffixes(base + ".aff")
	if err != nil {
		return err
	}
	forms, err := readWords(base+".dic", suffixes)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(os.Stdout)
	for _, s := range words.Reduce(forms) {
		fmt.Fprintln(w, s)
	}
	return w.Flush()
}

// readAffixes reads the suffix of every flag. Every rule of this dictionary appends
// its suffix to the whole stem (strip 0, condition "."); gen refuses any other.
func readAffixes(path string) (map[string][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open affixes: %w", err)
	}
	defer f.Close()
	out := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) == 0 || fs[0] == "PFX" {
			if len(fs) > 0 {
				return nil, fmt.Errorf("%s: prefixes are not supported", path)
			}
			continue
		}
		if fs[0] != "SFX" || len(fs) != 5 {
			continue
		}
		if fs[2] != "0" || fs[4] != "." {
			return nil, fmt.Errorf("%s: rule %q strips or has a condition", path, sc.Text())
		}
		out[fs[1]] = append(out[fs[1]], fs[3])
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read affixes: %w", err)
	}
	return out, nil
}

// readWords returns every word of the dictionary, lowercased: the likelier of two
// words that differ only in ı and i first.
func readWords(path string, suffixes map[string][]string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open dictionary: %w", err)
	}
	defer f.Close()
	type form struct {
		word  string
		score int // suffixes its stem takes
	}
	var forms []form
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	first := true
	for sc.Scan() {
		if first { // the word count
			first = false
			continue
		}
		stem, flags, _ := strings.Cut(strings.TrimSpace(sc.Text()), "/")
		stem = strings.ToLowerSpecial(unicode.TurkishCase, stem)
		var fl []string
		if flags != "" {
			fl = strings.Split(flags, ",")
		}
		forms = append(forms, form{stem, len(fl)})
		for _, flag := range fl {
			for _, s := range suffixes[flag] {
				forms = append(forms, form{stem + s, len(fl)})
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read dictionary: %w", err)
	}
	slices.SortStableFunc(forms, func(a, b form) int {
		return cmp.Or(-cmp.Compare(a.score, b.score), strings.Compare(a.word, b.word))
	})
	out := make([]string, len(forms))
	for i, f := range forms {
		out[i] = f.word
	}
	return out, nil
}
