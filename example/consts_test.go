package main

import svc "github.com/echofx/healthcheck/example/internal/service"

// The service's constants that the deploy kit's tests hold the manifests to.
const (
	defaultAddr     = svc.DefaultAddr
	defaultProbeURL = svc.DefaultProbeURL
	probeTimeout    = svc.ProbeTimeout
)
