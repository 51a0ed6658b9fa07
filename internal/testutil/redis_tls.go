package testutil

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// redisTLS is the TLS side of a Redis launched with RedisOptions.TLS.
type redisTLS struct {
	port              int
	certFile, keyFile string
	pool              *x509.CertPool
}

// newRedisTLS writes a self-signed certificate for 127.0.0.1 into dir.
func newRedisTLS(dir string) (*redisTLS, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, err
	}
	t := &redisTLS{certFile: filepath.Join(dir, "tls.crt"), keyFile: filepath.Join(dir, "tls.key"), pool: x509.NewCertPool()}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := os.WriteFile(t.certFile, certPEM, 0o644); err != nil {
		return nil, fmt.Errorf("testutil: %w", err)
	}
	if err := os.WriteFile(t.keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		return nil, fmt.Errorf("testutil: %w", err)
	}
	t.pool.AppendCertsFromPEM(certPEM)
	return t, nil
}

func (t *redisTLS) args() []string {
	return []string{
		"--tls-port", strconv.Itoa(t.port),
		"--tls-cert-file", t.certFile,
		"--tls-key-file", t.keyFile,
		"--tls-ca-cert-file", t.certFile,
		"--tls-auth-clients", "no",
	}
}

// TLSAddr returns the "127.0.0.1:port" of the TLS listener, or "" when
// the server was launched without RedisOptions.TLS.
func (r *Redis) TLSAddr() string {
	if r.tls == nil {
		return ""
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(r.tls.port))
}

// ClientTLS returns a client configuration that trusts the server's
// self-signed certificate (nil without RedisOptions.TLS).
func (r *Redis) ClientTLS() *tls.Config {
	if r.tls == nil {
		return nil
	}
	return &tls.Config{RootCAs: r.tls.pool, MinVersion: tls.VersionTLS12}
}
