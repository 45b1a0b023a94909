package taxonomy

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"
)

// Reader is the stored taxonomy the mapping reads (the store implements it).
type Reader interface {
	Categories(ctx context.Context, marketplace string) ([]Category, error)
	Definition(ctx context.Context, marketplace, categoryID string) (Definition, error)
	TaxonomySynced(ctx context.Context, marketplace string) (time.Time, error)
	BrandsNamed(ctx context.Context, marketplace, name string) ([]Brand, error)
	BrandCount(ctx context.Context, marketplace string) (int, error)
}

// ErrNotSynced is returned by Map before the marketplace's taxonomy was ever synced:
// nothing can be mapped yet, and nothing should be judged missing.
var ErrNotSynced = fmt.Errorf("taxonomy not synced yet")

// Mapper maps products onto one marketplace's stored taxonomy. It keeps the category
// tree and the definitions it has read in memory until the taxonomy is synced again.
// It is safe for concurrent use.
type Mapper struct {
	Marketplace string
	Reader      Reader
	// Defaults fill required attributes the product does not give, by attribute name
	// or ID (any spelling a seller would use: "menşei", "origin"): e.g. menşei → TR.
	Defaults map[string]string
	// Definition reads a leaf's definition (nil: Reader.Definition); ReadThrough
	// makes one that reads the marketplace for a category the store has none of yet.
	Definition func(ctx context.Context, categoryID string) (Definition, error)

	mu     sync.Mutex
	synced time.Time
	tree   *tree
	defs   map[string]Definition
}

// tree is the category tree of one sync, prepared for matching; a new sync replaces
// it whole, so a mapping under way keeps reading the one it started with.
type tree struct {
	byID   map[string]Category
	leaves []leaf
	brands bool // the marketplace keys brands by ID
}

// leaf is a leaf category prepared for matching.
type leaf struct {
	cat Category
	// names are the things its name names: "Tişört ve Gömlek" and "Yapboz (Puzzle)"
	// name two each; Amazon's product type ID names one more in English.
	names  []naming
	path   []string // its parents' folded words
	gender string   // the gender its path names, canonical, or ""
}

// naming is one thing a leaf's name names.
type naming struct {
	concept string   // its canonical concept
	words   []string // its folded words (none for a product type ID)
}

// alternatives splits a category name that names several things: "A ve B", "A, B",
// "A & B", "A (B)".
var alternatives = strings.NewReplacer(" ve ", "|", ",", "|", "&", "|", "(", "|", ")", "|", "/", "|")

// load returns the tree, read again when the taxonomy was synced since the last read.
func (m *Mapper) load(ctx context.Context) (*tree, error) {
	synced, err := m.Reader.TaxonomySynced(ctx, m.Marketplace)
	if err != nil {
		return nil, err
	}
	if synced.IsZero() {
		return nil, ErrNotSynced
	}
	m.mu.Lock()
	t := m.tree
	fresh := t != nil && synced.Equal(m.synced)
	m.mu.Unlock()
	if fresh {
		return t, nil
	}
	cats, err := m.Reader.Categories(ctx, m.Marketplace)
	if err != nil {
		return nil, err
	}
	n, err := m.Reader.BrandCount(ctx, m.Marketplace)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]Category, len(cats))
	var leaves []leaf
	for _, c := range cats {
		byID[c.ID] = c
		if c.Leaf {
			leaves = append(leaves, prepare(c))
		}
	}
	t = &tree{byID: byID, leaves: leaves, brands: n > 0}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.synced, m.tree, m.defs = synced, t, map[string]Definition{}
	return t, nil
}

func prepare(c Category) leaf {
	l := leaf{cat: c}
	for _, alt := range strings.Split(alternatives.Replace(" "+strings.ToLowerSpecial(unicode.TurkishCase, c.Name)+" "), "|") {
		if f := Fold(alt); f != "" {
			l.names = append(l.names, naming{concept: canonical(categoryGroups, f), words: words(f)})
		}
	}
	// Amazon's product types are named in English words too (CELLULAR_PHONE_CASE).
	if id := Fold(strings.ReplaceAll(c.ID, "_", " ")); categoryGroups[id] != "" {
		l.names = append(l.names, naming{concept: categoryGroups[id]})
	}
	name := Fold(c.Name)
	for _, p := range c.Path[:max(0, len(c.Path)-1)] {
		for _, w := range words(Fold(p)) {
			l.path = append(l.path, w)
		}
		if g := genderOf(Fold(p)); g != "" {
			l.gender = g
		}
	}
	if g := genderOf(name); g != "" {
		l.gender = g
	}
	return l
}

// genders are the canonical genders a category path or a product may name.
var genders = []string{"kiz cocuk", "erkek cocuk", "kadin", "erkek", "unisex"}

// genderOf is the gender a folded text names ("" when none, or two that disagree);
// "Erkek Çocuk" is a boy, not a man, and "Kadın Erkek" is unisex.
func genderOf(f string) string {
	found := ""
	for _, p := range phrases(valueGroups, f) {
		switch {
		case !slices.Contains(genders, p):
		case found == "":
			found = p
		case found == "unisex" || strings.Contains(found, p):
		default:
			return ""
		}
	}
	return found
}

func (m *Mapper) definition(ctx context.Context, id string) (Definition, error) {
	m.mu.Lock()
	d, ok := m.defs[id]
	m.mu.Unlock()
	if ok {
		return d, nil
	}
	var err error
	if m.Definition != nil {
		d, err = m.Definition(ctx, id)
	} else {
		d, err = m.Reader.Definition(ctx, m.Marketplace, id)
	}
	if err != nil {
		return Definition{}, fmt.Errorf("definition of %s category %s: %w", m.Marketplace, id, err)
	}
	m.mu.Lock()
	m.defs[id] = d
	m.mu.Unlock()
	return d, nil
}

// Map maps a product onto the marketplace's taxonomy. The seller's input for this
// listing wins, then pins, then what the product's words say, then defaults; what is
// still required and unknown is Missing, never guessed. It fails only when the stored
// taxonomy cannot be read (ErrNotSynced before the first sync).
func (m *Mapper) Map(ctx context.Context, p Product, pins Pins, in Input) (Mapping, error) {
	t, err := m.load(ctx)
	if err != nil {
		return Mapping{}, err
	}
	var out Mapping
	cat, missing := m.category(t, p, pins, in)
	if missing != nil {
		out.Missing = append(out.Missing, *missing)
	}
	if err := m.brand(ctx, t, p, pins, in, &out); err != nil {
		return Mapping{}, err
	}
	if cat == nil {
		return out, nil
	}
	out.Category = cat
	def, err := m.definition(ctx, cat.ID)
	if err != nil {
		return Mapping{}, err
	}
	for _, a := range def.Attributes {
		text, from, source, ok := attributeValue(a, p, in, m.Defaults)
		if !ok {
			if a.Required {
				out.Missing = append(out.Missing, Missing{Field: "attribute", ID: a.ID, Name: a.Name,
					Reason:  fmt.Sprintf("%s is required in %s and the product does not give it", a.Name, strings.Join(cat.Path, " > ")),
					Allowed: allowedOf(a)})
			}
			continue
		}
		if len(a.Values) == 0 {
			out.Attributes = append(out.Attributes, MappedAttribute{ID: a.ID, Name: a.Name, Value: text, From: from, Source: source})
			continue
		}
		ids, names, pinned, bad := resolveValues(a, text, pins.Value[a.ID])
		switch {
		case bad != "" && a.AllowCustom:
			out.Attributes = append(out.Attributes, MappedAttribute{ID: a.ID, Name: a.Name, Value: text, From: from, Source: source})
		case bad != "":
			if !a.Required && source == SourceDefault {
				continue
			}
			out.Missing = append(out.Missing, Missing{Field: "attribute", ID: a.ID, Name: a.Name,
				Reason:  fmt.Sprintf("%s %q is not one of the values %s takes", a.Name, bad, m.Marketplace),
				Allowed: allowedOf(a)})
		default:
			if pinned && source == SourceAutomatic {
				source = SourcePinned
			}
			out.Attributes = append(out.Attributes, MappedAttribute{ID: a.ID, Name: a.Name, ValueIDs: ids,
				Value: strings.Join(names, ", "), From: from, Source: source})
		}
	}
	return out, nil
}

// category chooses the leaf category: the seller's input, a pin of the category word,
// else the best match of the product's words when it is clearly the best.
func (m *Mapper) category(t *tree, p Product, pins Pins, in Input) (*Choice, *Missing) {
	chosen := func(id, source, what string) (*Choice, *Missing) {
		c, ok := t.byID[id]
		switch {
		case !ok:
			return nil, &Missing{Field: "category", Name: p.Category,
				Reason: fmt.Sprintf("%s category %s (%s) does not exist on %s", what, id, source, m.Marketplace)}
		case !c.Leaf:
			return nil, &Missing{Field: "category", Name: p.Category,
				Reason:  fmt.Sprintf("%s category %s (%s) is not a leaf category of %s", what, id, strings.Join(c.Path, " > "), m.Marketplace),
				Allowed: t.children(id)}
		}
		return &Choice{ID: c.ID, Name: c.Name, Path: c.Path, Source: source}, nil
	}
	if in.Category != "" {
		return chosen(in.Category, SourceInput, "the chosen")
	}
	if id, ok := pins.Category[Fold(p.Category)]; ok && p.Category != "" {
		return chosen(id, SourcePinned, "the pinned")
	}
	ranked := t.rank(p)
	if len(ranked) > 0 && ranked[0].score >= minScore && (len(ranked) == 1 || ranked[0].score-ranked[1].score >= minLead) {
		c := ranked[0].leaf.cat
		return &Choice{ID: c.ID, Name: c.Name, Path: c.Path, Source: SourceAutomatic}, nil
	}
	var cands []string
	for _, r := range ranked[:min(len(ranked), 5)] {
		if r.score > 0 {
			cands = append(cands, r.leaf.cat.ID+": "+strings.Join(r.leaf.cat.Path, " > "))
		}
	}
	reason := fmt.Sprintf("category %q matches no %s category clearly enough to choose one", p.Category, m.Marketplace)
	if p.Category == "" {
		reason = fmt.Sprintf("the product has no category, and its name matches no %s category clearly enough to choose one", m.Marketplace)
	}
	return nil, &Missing{Field: "category", Name: p.Category, Reason: reason + "; pin one or choose it for this product", Allowed: cands}
}

// children lists a category's leaf descendants as "ID: path", for a seller who pinned
// a parent.
func (t *tree) children(id string) []string {
	var out []string
	for _, l := range t.leaves {
		if slices.Contains(ancestors(t.byID, l.cat), id) {
			out = append(out, l.cat.ID+": "+strings.Join(l.cat.Path, " > "))
			if len(out) == maxAllowed {
				break
			}
		}
	}
	return out
}

func ancestors(byID map[string]Category, c Category) []string {
	var out []string
	for seen := 0; c.ParentID != "" && seen < 64; seen++ {
		out = append(out, c.ParentID)
		c = byID[c.ParentID]
	}
	return out
}

// Scores: a leaf is chosen when it scores at least minScore and leads the next by at
// least minLead.
const (
	minScore = 8
	minLead  = 2
)

type ranked struct {
	leaf  leaf
	score int
}

// rank scores every leaf against the product's words, best first. The seller's
// category text counts most, then the product's name; the leaf's parents and a gender
// the product names (Kadın, Erkek) tell neighbours apart.
func (t *tree) rank(p Product) []ranked {
	catText, nameText := Fold(p.Category), Fold(p.Name)
	catWords, nameWords := words(catText), words(nameText)
	catConcepts := phrases(categoryGroups, catText)
	nameConcepts := phrases(categoryGroups, nameText)
	gender := ""
	for k, v := range p.Attributes {
		if canonical(attributeGroups, Fold(k)) == "cinsiyet" {
			gender = genderOf(Fold(v))
		}
	}
	if gender == "" {
		gender = genderOf(nameText)
	}
	if gender == "" {
		gender = genderOf(catText)
	}
	hit := func(w string, ws []string) bool {
		return slices.ContainsFunc(ws, func(x string) bool { return sameWord(w, x) })
	}
	top := head(nameWords)
	var out []ranked
	for _, l := range t.leaves {
		score := math.MinInt
		for _, n := range l.names {
			s := 0
			if len(n.words) > 0 && strings.Join(n.words, " ") == catText {
				s += 4 // the seller wrote the category's own name
			}
			concept := true
			switch {
			case slices.Contains(catConcepts, n.concept):
				s += 10
			case slices.ContainsFunc(catConcepts, func(c string) bool { return broader[c] == n.concept }):
				s += 8
			case slices.Contains(nameConcepts, n.concept):
				s += 7
			case slices.ContainsFunc(nameConcepts, func(c string) bool { return broader[c] == n.concept }):
				s += 5
			default:
				concept = false
			}
			all := len(n.words) > 0
			for _, w := range n.words {
				switch {
				case hit(w, catWords):
					s += 3
				case hit(w, nameWords):
					s += 2
				default:
					all = false
					if !concept {
						s-- // a word of the category the product does not say
					}
				}
				if top != "" && sameWord(w, top) {
					s += 3 // the name is about this
				}
			}
			if all {
				s += 3
			}
			score = max(score, s)
		}
		path := 0
		for _, w := range l.path {
			if path < 3 && (hit(w, catWords) || hit(w, nameWords)) {
				path++
			}
		}
		score += path
		switch {
		case l.gender == "" || gender == "":
		case l.gender == gender || l.gender == "unisex":
			score += 3
		default:
			score -= 8
		}
		out = append(out, ranked{l, score})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].score > out[j].score })
	return out
}

// brand chooses the brand: without a registry of IDs the seller's name goes as it is;
// with one, the seller's input, a pin, or the registry's entry of that name.
func (m *Mapper) brand(ctx context.Context, t *tree, p Product, pins Pins, in Input, out *Mapping) error {
	name := strings.TrimSpace(p.Brand)
	if !t.brands {
		if name == "" {
			out.Missing = append(out.Missing, Missing{Field: "brand", Reason: "the product has no brand"})
			return nil
		}
		out.Brand = &Choice{Name: name, Source: SourceAutomatic}
		return nil
	}
	if in.Brand != "" {
		out.Brand = &Choice{ID: in.Brand, Name: name, Source: SourceInput}
		return nil
	}
	if id, ok := pins.Brand[Fold(name)]; ok && name != "" {
		out.Brand = &Choice{ID: id, Name: name, Source: SourcePinned}
		return nil
	}
	if name == "" {
		out.Missing = append(out.Missing, Missing{Field: "brand", Reason: "the product has no brand"})
		return nil
	}
	bs, err := m.Reader.BrandsNamed(ctx, m.Marketplace, name)
	if err != nil {
		return fmt.Errorf("brand %q on %s: %w", name, m.Marketplace, err)
	}
	if len(bs) == 0 {
		out.Missing = append(out.Missing, Missing{Field: "brand", Name: name,
			Reason: fmt.Sprintf("brand %q is not in %s's brand registry; pin it to a brand ID, or have %s register it", name, m.Marketplace, m.Marketplace)})
		return nil
	}
	best := bs[0]
	for _, b := range bs {
		if b.Name == name {
			best = b
		}
	}
	out.Brand = &Choice{ID: best.ID, Name: best.Name, Source: SourceAutomatic}
	return nil
}
