package testutil

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"syscall"
	"time"
)

// startLocked starts mariadbd on m.port and waits until it greets clients.
func (m *MariaDB) startLocked() error {
	proc, err := startProcess(procSpec{
		path: m.bin.Server,
		args: []string{
			"--no-defaults",
			"--datadir=" + m.dataDir,
			"--socket=" + m.socketPath(),
			"--pid-file=" + m.sockDir + "/mariadb.pid",
			"--port=" + strconv.Itoa(m.port),
			"--bind-address=127.0.0.1",
			"--skip-networking=0",
			"--skip-name-resolve",
			"--skip-log-bin",
			"--innodb-buffer-pool-size=16M",
			"--innodb-flush-log-at-trx-commit=0",
			"--max-connections=100",
		},
		dir:      m.root,
		logPath:  m.logPath,
		cred:     m.cred,
		deathSig: syscall.SIGKILL, // nothing worth keeping if the test binary dies
	})
	if err != nil {
		return err
	}
	if err := m.waitReady(proc); err != nil {
		proc.stopWithin(syscall.SIGTERM, 5*time.Second)
		return fmt.Errorf("%w\nserver log (%s):\n%s", err, m.logPath, proc.logTail())
	}
	m.proc = proc
	return nil
}

// waitReady waits until the server sends its handshake on the TCP port,
// which it does once it accepts clients.
func (m *MariaDB) waitReady(proc *process) error {
	deadline := time.Now().Add(mariaDBReadyTimeout)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		err := mariaDBGreets(m.Addr())
		if err == nil {
			return nil
		}
		select {
		case <-proc.done:
			return fmt.Errorf("testutil: mariadbd exited during startup: %v", proc.err)
		case <-tick.C:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("testutil: mariadbd not ready after %v: %w", mariaDBReadyTimeout, err)
		}
	}
}

// mariaDBGreets connects to addr and reads the server's first packet: a
// protocol-10 handshake means the server accepts clients.
func mariaDBGreets(addr string) error {
	conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(2 * time.Second)); err != nil {
		return err
	}
	var hdr [5]byte // 3-byte length, sequence number, first payload byte
	if _, err := io.ReadFull(conn, hdr[:]); err != nil {
		return err
	}
	if n := binary.LittleEndian.Uint32(append(hdr[:3:3], 0)); n == 0 || hdr[4] != 10 {
		return fmt.Errorf("no handshake (first byte %#x)", hdr[4])
	}
	return nil
}

// Stop shuts the server down (SIGTERM: a normal shutdown that closes open
// sessions) and waits for it to exit, escalating to SIGKILL after 30s. A
// paused server is resumed first. Stopping a stopped server does nothing.
// Connections fail with "connection refused" until Start.
func (m *MariaDB) Stop() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.stopLocked()
}

func (m *MariaDB) stopLocked() error {
	proc := m.proc
	if proc == nil {
		return nil
	}
	m.resumeLocked()
	m.proc = nil
	if proc.stopWithin(syscall.SIGTERM, mariaDBStopTimeout) {
		if proc.err != nil {
			return fmt.Errorf("testutil: mariadbd exited: %w\n%s", proc.err, proc.logTail())
		}
		return nil
	}
	return fmt.Errorf("testutil: mariadbd did not stop within %v\n%s", mariaDBStopTimeout, proc.logTail())
}

// Start restarts a stopped server on the same port and data directory and
// waits until it accepts clients. Starting a running server does nothing;
// starting a closed one is an error.
func (m *MariaDB) Start() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return errors.New("testutil: mariadb is closed")
	}
	if m.proc != nil {
		return nil
	}
	return m.startLocked()
}

// Pause freezes the server with SIGSTOP. Afterwards TCP connects still
// complete (the kernel accepts them) but nothing answers, as with a hung
// database; queries in open sessions block too. Pausing a paused server
// does nothing.
func (m *MariaDB) Pause() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.proc == nil {
		return errors.New("testutil: mariadb is not running")
	}
	if m.paused != nil {
		return nil
	}
	stopped, err := stopTree(m.proc.pid())
	m.paused = stopped
	if err != nil {
		m.resumeLocked()
		return err
	}
	return nil
}

// Resume continues a server Pause stopped. Resuming a server that is not
// paused does nothing.
func (m *MariaDB) Resume() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.resumeLocked()
	return nil
}

func (m *MariaDB) resumeLocked() {
	if m.paused != nil && m.proc != nil && !m.proc.exited() {
		continueTree(m.proc.pid(), m.paused)
	}
	m.paused = nil
}

// Close resumes and stops the server, then removes the directory it created
// under MariaDBOptions.Dir. It is idempotent.
func (m *MariaDB) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return nil
	}
	m.closed = true
	err := m.stopLocked()
	for _, dir := range []string{m.root, m.extraDir} {
		if dir != "" {
			err = errors.Join(err, os.RemoveAll(dir))
		}
	}
	return err
}
