package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// appendFile is what a lineFile writes to: an *os.File opened for appending.
type appendFile interface {
	io.Writer
	Truncate(size int64) error
	Close() error
}

// lineFile is --out: it appends whole lines only. Each line goes out in one Write; when a write
// fails part way (a full disk), the file is cut back to its last whole line before the error is
// returned, so an interruption of any kind leaves valid JSON lines.
type lineFile struct {
	f    appendFile
	size int64 // the length of the whole lines written so far
}

// Write appends p, a whole line, or nothing.
func (l *lineFile) Write(p []byte) (int, error) {
	n, err := l.f.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		if n > 0 {
			if terr := l.f.Truncate(l.size); terr != nil {
				return 0, fmt.Errorf("%w; cutting the partial line off failed too: %v", err, terr)
			}
		}
		return 0, err
	}
	l.size += int64(n)
	return n, nil
}

// close closes the file.
func (l *lineFile) close() error { return l.f.Close() }

// priorRun is what an earlier run left in --out, seen against the input.
type priorRun struct {
	kept int         // lines answered by the earlier run that stay
	todo []inputLine // the lines to send now
}

// storedLine is the part of a line of --out that resuming reads.
type storedLine struct {
	Line   *int            `json:"line"`
	Device string          `json:"device"`
	Error  json.RawMessage `json:"error"`
}

// openOut opens --out for a batch over lines. Without resume or retryFailed the file must not exist
// or be empty, and every line is to do. With them it reads the file, checks that it answers this
// input (each line number once, with the same device), drops a partial last line, and with
// retryFailed rewrites it without the error lines that are sent again (to a temporary file renamed
// over it, so that it is never half rewritten).
func openOut(path string, lines []inputLine, resume, retryFailed bool) (*lineFile, priorRun, error) {
	var prior priorRun
	if !resume && !retryFailed {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return nil, prior, usageErrorf("--out: %v", err)
		}
		if st, err := f.Stat(); err != nil || st.Size() > 0 {
			f.Close()
			return nil, prior, usageErrorf("--out %s: exists and is not empty: --resume continues it, --retry-failed sends its failures again; remove it to start over", path)
		}
		prior.todo = lines
		return &lineFile{f: f}, prior, nil
	}

	byNumber := make(map[int]string, len(lines))
	for _, l := range lines {
		byNumber[l.n] = l.device
	}
	answered := map[int]bool{} // line number -> answered without an error
	whole, err := scanOut(path, func(n int, raw []byte) error {
		var s storedLine
		if err := json.Unmarshal(raw, &s); err != nil || s.Line == nil {
			return errors.New(`not a line of a vshop batch (want {"line":N,"device":...})`)
		}
		device, ok := byNumber[*s.Line]
		switch {
		case !ok:
			return fmt.Errorf("answers input line %d, which is not a device line of --devices-file: is it the same input?", *s.Line)
		case device != s.Device:
			return fmt.Errorf("answers input line %d for device %q, but that line is %q: is it the same input?", *s.Line, s.Device, device)
		}
		if _, dup := answered[*s.Line]; dup {
			return fmt.Errorf("answers input line %d twice", *s.Line)
		}
		answered[*s.Line] = len(s.Error) == 0 || string(s.Error) == "null"
		return nil
	})
	if err != nil {
		return nil, prior, err
	}
	retry := map[int]bool{}
	for _, l := range lines {
		ok, done := answered[l.n]
		switch {
		case !done && resume, done && !ok && retryFailed:
			prior.todo = append(prior.todo, l)
			if done {
				retry[l.n] = true
			}
		case done:
			prior.kept++
		}
	}
	rewritten := len(retry) > 0
	if rewritten {
		if err := rewriteOut(path, whole, retry); err != nil {
			return nil, prior, err
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return nil, prior, localIOError("--out", err)
	}
	st, err := f.Stat()
	if err == nil && !rewritten && st.Size() > whole {
		err = f.Truncate(whole) // a partial last line: cut it off
	}
	if err != nil {
		f.Close()
		return nil, prior, localIOError("--out "+path, err)
	}
	size := whole
	if st, err := f.Stat(); err == nil {
		size = st.Size()
	}
	return &lineFile{f: f, size: size}, prior, nil
}

// scanOut calls fn with each whole line of the file (a missing file has none) and returns the length
// of the whole lines; a last line without its newline is left out. fn's error names the line.
func scanOut(path string, fn func(n int, raw []byte) error) (int64, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, usageErrorf("--out: %v", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 64<<10)
	var whole int64
	for n := 1; ; n++ {
		raw, err := readLine(r)
		if errors.Is(err, io.EOF) {
			return whole, nil // raw, if any, is a partial last line
		}
		if err != nil {
			return 0, localIOError("--out "+path, err)
		}
		if ferr := fn(n, bytes.TrimSpace(raw)); ferr != nil {
			return 0, usageErrorf("--out %s: line %d: %v", path, n, ferr)
		}
		whole += int64(len(raw))
	}
}

// readLine reads one line with its newline, at most maxLine bytes; io.EOF means no whole line is left.
func readLine(r *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := r.ReadSlice('\n')
		line = append(line, chunk...)
		if len(line) > maxLine {
			return nil, fmt.Errorf("a line longer than %d MiB", maxLine>>20)
		}
		switch {
		case err == nil:
			return line, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			return line, io.EOF
		default:
			return nil, err
		}
	}
}

// rewriteOut rewrites the first whole bytes of path without the lines whose numbers are in drop.
func rewriteOut(path string, whole int64, drop map[int]bool) error {
	src, err := os.Open(path)
	if err != nil {
		return localIOError("--out", err)
	}
	defer src.Close()
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*.tmp")
	if err != nil {
		return localIOError("--out: rewriting "+path, err)
	}
	defer os.Remove(tmp.Name()) // after the rename there is nothing left to remove
	w := bufio.NewWriter(tmp)
	r := bufio.NewReaderSize(io.LimitReader(src, whole), 64<<10)
	for {
		raw, err := readLine(r)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tmp.Close()
			return localIOError("--out "+path, err)
		}
		var s storedLine
		if json.Unmarshal(raw, &s) == nil && s.Line != nil && drop[*s.Line] {
			continue
		}
		w.Write(raw)
	}
	err = w.Flush()
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return localIOError("--out: rewriting "+path, err)
	}
	return nil
}
