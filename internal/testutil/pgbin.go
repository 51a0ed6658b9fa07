package testutil

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// ErrNoPostgres is returned (possibly wrapped) by FindPostgresBin and
// LaunchPostgres when no PostgreSQL server binaries are installed.
var ErrNoPostgres = errors.New("PostgreSQL server binaries (initdb, postgres) not found: " +
	"install the Debian package postgresql (apt-get install postgresql) or set HEALTHCHECK_PG_BIN")

// PostgresBinEnv names the environment variable that, when set, is the
// directory FindPostgresBin returns instead of searching.
const PostgresBinEnv = "HEALTHCHECK_PG_BIN"

// pgInstallRoot is where Debian installs one bin directory per major version.
var pgInstallRoot = "/usr/lib/postgresql"

// FindPostgresBin returns a directory containing the initdb and postgres
// executables. If $HEALTHCHECK_PG_BIN is set it must name such a directory,
// and an error that is not ErrNoPostgres is returned when it does not (a
// misconfiguration should fail, not skip). Otherwise it returns the newest
// /usr/lib/postgresql/<version>/bin that has both, then falls back to the
// directory of an initdb found on $PATH, and returns ErrNoPostgres if none.
func FindPostgresBin() (string, error) {
	if dir := os.Getenv(PostgresBinEnv); dir != "" {
		if !hasPostgresBinaries(dir) {
			return "", fmt.Errorf("testutil: %s=%s does not contain initdb and postgres", PostgresBinEnv, dir)
		}
		return dir, nil
	}
	dirs, _ := filepath.Glob(filepath.Join(pgInstallRoot, "*", "bin"))
	slices.SortFunc(dirs, func(a, b string) int {
		return compareVersions(filepath.Base(filepath.Dir(b)), filepath.Base(filepath.Dir(a)))
	})
	for _, dir := range dirs {
		if hasPostgresBinaries(dir) {
			return dir, nil
		}
	}
	if initdb, err := exec.LookPath("initdb"); err == nil {
		if dir := filepath.Dir(initdb); hasPostgresBinaries(dir) {
			return dir, nil
		}
	}
	return "", ErrNoPostgres
}

func hasPostgresBinaries(dir string) bool {
	for _, name := range []string{"initdb", "postgres"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
			return false
		}
	}
	return true
}

// compareVersions orders dotted version strings numerically ("9.6" < "15");
// components that are not numbers compare as strings.
func compareVersions(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		ai, aerr := strconv.Atoi(as[i])
		bi, berr := strconv.Atoi(bs[i])
		var c int
		if aerr == nil && berr == nil {
			c = ai - bi
		} else {
			c = strings.Compare(as[i], bs[i])
		}
		if c != 0 {
			return c
		}
	}
	return len(as) - len(bs)
}
