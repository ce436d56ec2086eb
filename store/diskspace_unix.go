//go:build unix

package store

import "syscall"

func diskSpace(dir string) (free, size uint64, ok bool, err error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, 0, false, err
	}
	bs := uint64(st.Bsize)
	return st.Bavail * bs, st.Blocks * bs, true, nil
}
