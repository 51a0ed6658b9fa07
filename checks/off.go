package checks

// Off turns a threshold off: every integration under checks/ reads a
// negative threshold in its Config (pgcheck.Config.SlowThreshold,
// syscheck.DiskConfig.MinFreeRatio, …) as "never judge by this", while zero
// takes the documented default. Any negative value means the same; Off is
// the readable one, e.g. pgcheck.Config{SlowThreshold: checks.Off}.
const Off = -1
