//go:build linux || darwin || freebsd || dragonfly

package syscheck

import "golang.org/x/sys/unix"

// statDisk returns the bytes available to unprivileged users and the size
// of the file system holding path.
func statDisk(path string) (free, total uint64, err error) {
	var st unix.Statfs_t
	for {
		err = unix.Statfs(path, &st)
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		return 0, 0, err
	}
	bsize := uint64(st.Bsize)
	avail := uint64(st.Bavail)
	if int64(st.Bavail) < 0 { // FreeBSD: negative when root's reserve is in use
		avail = 0
	}
	return avail * bsize, uint64(st.Blocks) * bsize, nil
}
