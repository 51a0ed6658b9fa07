// Package httpcheck checks an HTTP endpoint (an external API, a
// dependency's health URL) given its URL: New sends a GET and reads a 2xx
// answer as healthy. The default client keeps no idle connection and
// follows no redirect to another host; results show the URL without user
// info or query.
package httpcheck
