package main

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/stox-dev/stox/blob"
	"github.com/stox-dev/stox/blob/s3"
)

// blobsCommand is `stox blobs export|import`: every blob of the store STOX_BLOB_URL
// names (the directory under STOX_DATA_DIR when empty) to a tar.gz and back. backup.sh
// and restore.sh use it for an S3 store, which tar cannot read; it also moves the
// blobs of a filesystem deployment into a bucket.
func blobsCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "blobs",
		Short: "Export every blob of the store (STOX_BLOB_URL, or STOX_DATA_DIR/blobs) to a tar.gz, or import one",
	}
	cmd.AddCommand(
		&cobra.Command{
			Use:   "init",
			Short: "Create STOX_BLOB_URL's bucket unless it exists (a deployment's own S3 server starts empty)",
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				return initBucket(cmd.Context(), cmd.OutOrStdout())
			},
		},
		&cobra.Command{
			Use:   "export FILE",
			Short: "Write every blob to FILE (- for standard output), a tar.gz of one file per key",
			Args:  cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				return withBlobs(cmd.Context(), func(s blob.Store) error {
					return exportBlobsFile(cmd.Context(), s, args[0], cmd.ErrOrStderr())
				})
			},
		},
		&cobra.Command{
			Use:   "import FILE",
			Short: "Store every blob of FILE (- for standard input), an export's or a filesystem backup's tar.gz; each is checked against its key",
			Args:  cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				return withBlobs(cmd.Context(), func(s blob.Store) error {
					return importBlobsFile(cmd.Context(), s, args[0], cmd.ErrOrStderr())
				})
			},
		},
	)
	return cmd
}

// initBucket creates the bucket STOX_BLOB_URL names unless it exists.
func initBucket(ctx context.Context, out io.Writer) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	if cfg.BlobURL == "" {
		return errors.New("blobs init: STOX_BLOB_URL is empty: the filesystem store needs no bucket")
	}
	sc, err := s3.ParseURL(cfg.BlobURL)
	if err != nil {
		return err
	}
	created, err := s3.CreateBucket(ctx, sc)
	if err != nil {
		return err
	}
	verb := "exists"
	if created {
		verb = "created"
	}
	fmt.Fprintf(out, "blobs init: bucket %s %s\n", sc.Bucket, verb)
	return nil
}

// withBlobs opens the configured blob store for fn.
func withBlobs(ctx context.Context, fn func(blob.Store) error) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	s, _, err := openBlobs(ctx, cfg)
	if err != nil {
		return err
	}
	return fn(s)
}

func exportBlobsFile(ctx context.Context, s blob.Store, name string, report io.Writer) error {
	out := io.WriteCloser(os.Stdout)
	if name != "-" {
		f, err := os.Create(name)
		if err != nil {
			return fmt.Errorf("blobs export: %w", err)
		}
		out = f
	}
	n, size, err := exportBlobs(ctx, s, out)
	if cerr := out.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("blobs export: %w", cerr)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(report, "blobs export: %d blobs, %d bytes\n", n, size)
	return nil
}

func importBlobsFile(ctx context.Context, s blob.Store, name string, report io.Writer) error {
	in := io.ReadCloser(os.Stdin)
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return fmt.Errorf("blobs import: %w", err)
		}
		in = f
	}
	defer in.Close()
	n, size, err := importBlobs(ctx, s, in)
	if err != nil {
		return err
	}
	fmt.Fprintf(report, "blobs import: %d blobs, %d bytes\n", n, size)
	return nil
}

// exportBlobs writes every blob of s to w as a gzipped tar, one file per key at the
// archive's top level, streamed: no blob is held whole in memory.
func exportBlobs(ctx context.Context, s blob.Store, w io.Writer) (n int, size int64, err error) {
	l, ok := s.(blob.Lister)
	if !ok {
		return 0, 0, fmt.Errorf("blobs export: the store %T cannot list its blobs", s)
	}
	gz := gzip.NewWriter(w)
	tw := tar.NewWriter(gz)
	err = l.Keys(ctx, func(key string) error {
		k, err := exportBlob(ctx, s, tw, key)
		n, size = n+1, size+k
		return err
	})
	if err == nil {
		err = tw.Close()
	}
	if err == nil {
		err = gz.Close()
	}
	if err != nil {
		return n, size, fmt.Errorf("blobs export: %w", err)
	}
	return n, size, nil
}

func exportBlob(ctx context.Context, s blob.Store, tw *tar.Writer, key string) (int64, error) {
	r, size, err := s.Open(ctx, key)
	if err != nil {
		return 0, err
	}
	defer r.Close()
	// A blob never changes: the time of the archive, not of the blob, is enough.
	hdr := &tar.Header{Name: key, Size: size, Mode: 0o644, ModTime: time.Now().UTC().Truncate(time.Second), Typeflag: tar.TypeReg}
	if err := tw.WriteHeader(hdr); err != nil {
		return 0, err
	}
	if _, err := io.Copy(tw, r); err != nil {
		return 0, fmt.Errorf("blob %s: %w", key, err)
	}
	return size, nil
}

// importBlobs stores every blob of the gzipped tar r in s. An entry is named by its
// key, at the top level (an export) or under its two-digit directory (a filesystem
// backup's tar of STOX_DATA_DIR/blobs); the key is the SHA-256 of the bytes, so an
// entry whose bytes do not match its name is a damaged archive and fails the import.
// Blobs already in s stay: a key holds one content only, so nothing is overwritten
// with anything else.
func importBlobs(ctx context.Context, s blob.Store, r io.Reader) (n int, size int64, err error) {
	gz, err := gzip.NewReader(r)
	if err != nil {
		return 0, 0, fmt.Errorf("blobs import: not a gzip file: %w", err)
	}
	tr := tar.NewReader(gz)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return n, size, nil
		}
		if err != nil {
			return n, size, fmt.Errorf("blobs import: %w", err)
		}
		if hdr.Typeflag != tar.TypeReg {
			continue // directories of a filesystem backup
		}
		want := path.Base(hdr.Name)
		if err := blob.ValidateKey(want); err != nil {
			return n, size, fmt.Errorf("blobs import: entry %s: %w", hdr.Name, err)
		}
		key, k, err := blob.PutReader(ctx, s, tr, want[strings.IndexByte(want, '.')+1:])
		if err != nil {
			return n, size, fmt.Errorf("blobs import: %s: %w", hdr.Name, err)
		}
		if key != want {
			return n, size, fmt.Errorf("blobs import: entry %s holds other bytes (their key is %s): the archive is damaged", hdr.Name, key)
		}
		n, size = n+1, size+k
	}
}
