package testutil

import (
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
)

// systemCredential returns the credential of the named system user, for
// starting a child as that user while running as root.
func systemCredential(name string) (*syscall.Credential, error) {
	u, err := user.Lookup(name)
	if err != nil {
		return nil, fmt.Errorf("testutil: running as root needs the %q system user: %w", name, err)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("testutil: user %q: uid %q: %w", name, u.Uid, err)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("testutil: user %q: gid %q: %w", name, u.Gid, err)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// chownTree gives path and everything below it to cred's user and group.
func chownTree(path string, cred *syscall.Credential) error {
	return filepath.WalkDir(path, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, int(cred.Uid), int(cred.Gid))
	})
}

// checkSearchable reports an error naming the first directory on the way to
// dir (dir included) that cred's user may not enter. It looks only at mode
// bits and owners, which is what matters for the directories involved here.
func checkSearchable(dir string, cred *syscall.Credential) error {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	for p := dir; ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return err
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !ok {
			return nil
		}
		mode := fi.Mode().Perm()
		searchable := mode&0o001 != 0 ||
			(st.Uid == cred.Uid && mode&0o100 != 0) ||
			(st.Gid == cred.Gid && mode&0o010 != 0)
		if !searchable {
			return fmt.Errorf("testutil: directory %s (mode %v) is not searchable by uid %d; "+
				"use a directory whose parents are world-searchable (o+x), such as one under %s",
				p, mode, cred.Uid, os.TempDir())
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}

// addSearch adds search (x) permission for group and others to dir.
func addSearch(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	return os.Chmod(dir, fi.Mode().Perm()|0o011)
}
