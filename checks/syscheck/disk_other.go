//go:build !(linux || darwin || freebsd || dragonfly)

package syscheck

// statDisk is not supported on this platform.
func statDisk(string) (free, total uint64, err error) {
	return 0, 0, errDiskUnsupported
}
