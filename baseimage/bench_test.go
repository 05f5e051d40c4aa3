package baseimage

// Benchmarks for the figures issue 4 asks for. All data is generated in-process.
//
//	go test ./baseimage -run '^$' -bench 'Layer' -benchtime 3x        throughput vs raw decompress+tar
//	go test ./baseimage -run '^$' -bench 'Memory1GB' -benchtime 1x    peak memory, 1 GB image
//	go test ./baseimage -run '^$' -bench 'SecondReview'               stored review time

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/gzip"
)

var words = []string{"the ", "layer ", "image ", "config ", "alpha ", "beta ", "return ", "if ", "{\n", "}\n", "func ", "0x1f ", "error ", "nil ", "value ", "struct ", "\t", "import ", "package ", "lib "}

// writeSyntheticTar writes a deterministic tar of about size bytes: a mix of text-like and
// random (incompressible) files from 1 KiB to 1 MiB, a tenth of them executable.
func writeSyntheticTar(w io.Writer, seed uint64, size int64) error {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	tw := tar.NewWriter(w)
	buf := make([]byte, 1<<20)
	var written int64
	for i := 0; written < size; i++ {
		n := int64(1024 << rng.IntN(11)) // 1 KiB .. 1 MiB
		n = min(n, size-written+512)
		body := buf[:n]
		if rng.IntN(10) < 3 {
			for j := 0; j+8 <= len(body); j += 8 {
				v := rng.Uint64()
				for k := range 8 {
					body[j+k] = byte(v >> (8 * k))
				}
			}
		} else {
			j := 0
			for j < len(body) {
				j += copy(body[j:], words[rng.IntN(len(words))])
			}
		}
		mode := int64(0o644)
		if i%10 == 0 {
			mode = 0o755
		}
		if err := tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("usr/share/data/d%03d/file%06d", i%200, i), Mode: mode, Size: n, Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		if _, err := tw.Write(body); err != nil {
			return err
		}
		written += n + 512
	}
	return tw.Close()
}

// gzipStream streams the gzip of a synthetic tar through a pipe: nothing is held in memory.
func gzipStream(seed uint64, size int64) io.ReadCloser {
	pr, pw := io.Pipe()
	go func() {
		zw, _ := gzip.NewWriterLevel(pw, gzip.BestSpeed)
		err := writeSyntheticTar(zw, seed, size)
		if err == nil {
			err = zw.Close()
		}
		pw.CloseWithError(err)
	}()
	return pr
}

var (
	blobMu    sync.Mutex
	blobCache = map[int64][]byte{}
)

// syntheticBlob returns (and keeps) the gzip blob of a synthetic tar of about size bytes.
func syntheticBlob(b *testing.B, size int64) []byte {
	blobMu.Lock()
	defer blobMu.Unlock()
	if blob, ok := blobCache[size]; ok {
		return blob
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	if err := writeSyntheticTar(zw, uint64(size), size); err != nil {
		b.Fatal(err)
	}
	zw.Close()
	blobCache[size] = buf.Bytes()
	return buf.Bytes()
}

// opaqueReader hides bytes.Reader's methods: a layer arrives as a stream (an HTTP body, a
// file), and klauspost's inflater has a faster path for *bytes.Reader that no real source
// offers.
type opaqueReader struct{ r io.Reader }

func (o opaqueReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// rawDecompressTar is the physical limit: decompress the stream and read every tar header and
// body byte, checking nothing.
func rawDecompressTar(blob []byte) (int64, error) {
	zr, err := gzip.NewReader(bufio.NewReaderSize(opaqueReader{bytes.NewReader(blob)}, 64<<10))
	if err != nil {
		return 0, err
	}
	tr := tar.NewReader(zr)
	var n int64
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n += h.Size
	}
}

func BenchmarkLayer(b *testing.B) {
	for _, size := range []int64{50 << 20, 500 << 20} {
		blob := syntheticBlob(b, size)
		want := digestOf(blob)
		name := fmt.Sprintf("%dMB", size>>20)
		b.Run("raw/"+name, func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := rawDecompressTar(blob); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("review/"+name, func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				vr := newVerifyReader(io.NopCloser(opaqueReader{bytes.NewReader(blob)}), want, int64(len(blob)))
				lr, err := walkLayer(context.Background(), vr, walkOptions{budget: DefaultBudget, bytesLeft: DefaultBudget.MaxBytes})
				vr.Close()
				if err != nil || !lr.Complete {
					b.Fatalf("walk: %v %s", err, lr.Error)
				}
			}
		})
	}
}

// BenchmarkLayerRatio alternates the raw read and the review of the same blob in every
// iteration, so that load from other processes hits both alike, and reports review/raw
// throughput (1.0 = as fast as the physical limit).
func BenchmarkLayerRatio(b *testing.B) {
	for _, size := range []int64{50 << 20, 500 << 20} {
		blob := syntheticBlob(b, size)
		want := digestOf(blob)
		b.Run(fmt.Sprintf("%dMB", size>>20), func(b *testing.B) {
			var raw, review, rawCPU, reviewCPU time.Duration
			b.SetBytes(size)
			doRaw := func() {
				t0, c0 := time.Now(), processCPU()
				if _, err := rawDecompressTar(blob); err != nil {
					b.Fatal(err)
				}
				raw += time.Since(t0)
				rawCPU += processCPU() - c0
			}
			doReview := func() {
				t0, c0 := time.Now(), processCPU()
				defer func() { reviewCPU += processCPU() - c0 }()
				vr := newVerifyReader(io.NopCloser(opaqueReader{bytes.NewReader(blob)}), want, int64(len(blob)))
				lr, err := walkLayer(context.Background(), vr, walkOptions{budget: DefaultBudget, bytesLeft: DefaultBudget.MaxBytes})
				vr.Close()
				if err != nil || !lr.Complete {
					b.Fatalf("walk: %v", err)
				}
				review += time.Since(t0)
			}
			for i := 0; b.Loop(); i++ {
				if i%2 == 0 { // alternate the order so neither side always runs first
					doRaw()
					doReview()
				} else {
					doReview()
					doRaw()
				}
			}
			b.ReportMetric(raw.Seconds()/review.Seconds(), "review/raw-throughput")
			if reviewCPU > 0 {
				// CPU time is the fairer figure on a loaded machine, where wall time favours
				// the review's second goroutine (the digest).
				b.ReportMetric(rawCPU.Seconds()/reviewCPU.Seconds(), "review/raw-cpu")
			}
			b.ReportMetric(float64(size)/review.Seconds()*float64(b.N)/1e6, "review-MB/s")
			b.ReportMetric(float64(size)/raw.Seconds()*float64(b.N)/1e6, "raw-MB/s")
		})
	}
}

// memSource serves generated images: manifests and configs from memory, layers generated on
// each read.
type memSource struct {
	blobs  map[string][]byte
	layers map[string]func() io.ReadCloser
}

func (m *memSource) String() string { return "memory" }
func (m *memSource) manifest(_ context.Context, d string) ([]byte, error) {
	if b, ok := m.blobs[d]; ok {
		return b, nil
	}
	return nil, fmt.Errorf("no manifest %s", d)
}
func (m *memSource) blob(_ context.Context, d string) (io.ReadCloser, error) {
	if b, ok := m.blobs[d]; ok {
		return io.NopCloser(bytes.NewReader(b)), nil
	}
	if f, ok := m.layers[d]; ok {
		return f(), nil
	}
	return nil, fmt.Errorf("no blob %s", d)
}

// generatedImage builds an image of n streamed layers of layerSize uncompressed bytes each. Layer
// digests are computed by generating each layer once.
func generatedImage(b *testing.B, n int, layerSize int64) (*memSource, string) {
	src := &memSource{blobs: map[string][]byte{}, layers: map[string]func() io.ReadCloser{}}
	var m v1.Manifest
	m.SchemaVersion = 2
	m.MediaType = types.OCIManifestSchema1
	cf := v1.ConfigFile{OS: "linux", Architecture: "amd64"}
	for i := range n {
		h := sha256.New()
		rc := gzipStream(uint64(i+1), layerSize)
		size, err := io.Copy(h, rc)
		if err != nil {
			b.Fatal(err)
		}
		d := "sha256:" + hex.EncodeToString(h.Sum(nil))
		seed := uint64(i + 1)
		src.layers[d] = func() io.ReadCloser { return gzipStream(seed, layerSize) }
		hash, _ := v1.NewHash(d)
		m.Layers = append(m.Layers, v1.Descriptor{MediaType: types.OCILayer, Size: size, Digest: hash})
		cf.History = append(cf.History, v1.History{CreatedBy: fmt.Sprintf("RUN generate layer %d", i)})
		cf.RootFS.DiffIDs = append(cf.RootFS.DiffIDs, hash)
	}
	cfg, _ := json.Marshal(cf)
	cd, _ := v1.NewHash(digestOf(cfg))
	src.blobs[cd.String()] = cfg
	m.Config = v1.Descriptor{MediaType: types.OCIConfigJSON, Size: int64(len(cfg)), Digest: cd}
	mb, _ := json.Marshal(m)
	md := digestOf(mb)
	src.blobs[md] = mb
	return src, md
}

func reviewGenerated(b *testing.B, rv *Reviewer, src *memSource, md string) *Report {
	res := &resolved{ref: "layerlens.test/bench/generated:1", digest: md, sources: []source{src}, via: "memory"}
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	rep, err := rv.review(ctx, context.Background(), res, v1.Platform{OS: "linux", Architecture: "amd64"}, "requested", nil)
	if err != nil {
		b.Fatal(err)
	}
	if rep.Partial {
		b.Fatalf("partial review: %v", rep.Errors)
	}
	return rep
}

// peakSampler samples the Go runtime's memory while a review runs.
func peakSampler() (stop func() (heapPeak, totalPeak uint64)) {
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	var heapPeak, totalPeak atomic.Uint64
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(samples)
			if v := samples[0].Value.Uint64(); v > heapPeak.Load() {
				heapPeak.Store(v)
			}
			if v := samples[1].Value.Uint64() - samples[2].Value.Uint64(); v > totalPeak.Load() {
				totalPeak.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() (uint64, uint64) {
		close(done)
		<-finished
		return heapPeak.Load(), totalPeak.Load()
	}
}

func BenchmarkReviewMemory1GB(b *testing.B) {
	src, md := generatedImage(b, 4, 256<<20)
	runtime.GC()
	for b.Loop() {
		rv, err := New(WithCacheDir(b.TempDir()), WithOffline(true))
		if err != nil {
			b.Fatal(err)
		}
		stop := peakSampler()
		rep := reviewGenerated(b, rv, src, md)
		heap, total := stop()
		b.ReportMetric(float64(heap)/(1<<20), "peak-heap-MiB")
		b.ReportMetric(float64(total)/(1<<20), "peak-mapped-MiB")
		b.ReportMetric(float64(rep.UncompressedSize)/(1<<20), "uncompressed-MiB")
	}
}

func BenchmarkSecondReview(b *testing.B) {
	b.Run("demo", func(b *testing.B) {
		rv, err := New(WithCacheDir(b.TempDir()), WithOffline(true), WithLayouts(demoLayout))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := rv.Review(context.Background(), "layerlens.test/demo/trapped:1.0", "linux/amd64", nil); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := rv.Review(context.Background(), "layerlens.test/demo/trapped:1.0", "linux/amd64", nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("200MB-4layers", func(b *testing.B) {
		src, md := generatedImage(b, 4, 50<<20)
		rv, err := New(WithCacheDir(b.TempDir()), WithOffline(true))
		if err != nil {
			b.Fatal(err)
		}
		reviewGenerated(b, rv, src, md)
		src.layers = nil // the second review must not read a layer
		b.ReportAllocs()
		for b.Loop() {
			reviewGenerated(b, rv, src, md)
		}
	})
}
