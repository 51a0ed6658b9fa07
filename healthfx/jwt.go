package healthfx

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"os"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/echofx/healthcheck/checks"
	"github.com/echofx/healthcheck/httphealth"
)

// newJWT builds the detailed route's verifier from the JWT settings, and
// with HEALTH_JWT_JWKS_URL the key set that the module's fx start hook
// starts and its stop hook stops (newHealth), its statistics registered
// with reg when not nil.
func newJWT(cfg Config, logger *slog.Logger, reg prometheus.Registerer) (*httphealth.JWT, *jwksKeys, error) {
	jc := httphealth.JWTConfig{
		Algorithms: cfg.JWTAlgorithms,
		Issuer:     cfg.JWTIssuer,
		Audience:   cfg.JWTAudience,
		MaxAge:     cfg.JWTMaxAge,
		Logger:     logger,
	}
	variable := "HEALTH_JWT_SECRET"
	var keys *jwksKeys
	switch {
	case cfg.JWTJWKSURL != "":
		variable = "HEALTH_JWT_JWKS_URL"
		var err error
		if keys, err = newJWKSKeys(cfg.JWTJWKSURL, cfg.JWTJWKSRefresh, logger, checks.SystemClock()); err != nil {
			return nil, nil, err
		}
		jc.KeySet = keys
	case cfg.JWTPublicKeyFile != "":
		variable = "HEALTH_JWT_PUBLIC_KEY_FILE"
		key, err := readPublicKey(cfg.JWTPublicKeyFile)
		if err != nil {
			return nil, nil, configError(variable, cfg.JWTPublicKeyFile, err.Error())
		}
		jc.PublicKey = key
	default:
		jc.Secret = []byte(cfg.JWTSecret)
	}
	j, err := httphealth.NewJWT(jc)
	if err != nil {
		keyVsAlg := errors.Is(err, httphealth.ErrKeyMismatch) || errors.Is(err, httphealth.ErrNoKey)
		if errors.Is(err, httphealth.ErrBadAlgorithm) || (keyVsAlg && len(cfg.JWTAlgorithms) > 0) {
			// The algorithms asked for do not fit the key given.
			variable = "HEALTH_JWT_ALGORITHMS"
		}
		return nil, nil, configError(variable, "", err.Error())
	}
	if keys != nil && reg != nil {
		if err := registerJWKSMetrics(reg, cfg.MetricsNamespace, keys); err != nil {
			return nil, nil, err
		}
	}
	return j, keys, nil
}

// readPublicKey reads a PEM "PUBLIC KEY" (PKIX) or "RSA PUBLIC KEY" file.
func readPublicKey(path string) (any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, errors.New("want a readable PEM public key file")
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, errors.New("want a PEM public key file")
	}
	switch block.Type {
	case "PUBLIC KEY":
		return x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		return x509.ParsePKCS1PublicKey(block.Bytes)
	}
	return nil, fmt.Errorf("want a PUBLIC KEY PEM block, got %q", block.Type)
}
