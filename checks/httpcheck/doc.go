// Package httpcheck checks an HTTP endpoint (an external API, a
// dependency's health URL) given its URL: New sends a GET and reads a 2xx
// answer as healthy. The default client keeps no idle connection and
// follows no redirect to another host; results show the URL without user
// info or query.
//
// # Limits
//
// With the default client every read from the peer is bounded: response
// headers at 64 KiB (more is an error, read unhealthy), the body drained
// up to 64 KiB and then closed (the status code is what is judged), at most
// 3 redirects and none to another host, each request by the check's
// Timeout; no idle connection is kept. A Config.Client of your own keeps
// its own limits; the body drain and the Timeout still apply.
package httpcheck
