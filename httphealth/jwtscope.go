package httphealth

import (
	"context"
	"fmt"
	"net/http"
)

var _ ScopeAuthorizer = (*JWT)(nil)

// AuthorizeScope verifies the request's token as Authenticate does and
// requires scope among its scopes ("scope", space-separated, or "scp");
// it returns the token's "sub" (may be empty). Its error wraps
// ErrUnauthorized. The maintenance route calls it with MaintenanceScope.
func (j *JWT) AuthorizeScope(r *http.Request, scope string) (string, error) {
	if j == nil || j.parser == nil {
		return "", fmt.Errorf("%w: nil verifier", ErrUnauthorized)
	}
	ctx := r.Context()
	if j.keySet != nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, j.keyWait)
		defer cancel()
	}
	claims, err := j.verifyClaims(ctx, r.Header)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrUnauthorized, err)
	}
	if !hasScope(claims, scope) {
		return "", fmt.Errorf("%w: %w %q", ErrUnauthorized, errScope, scope)
	}
	sub, _ := claims.GetSubject()
	return sub, nil
}
