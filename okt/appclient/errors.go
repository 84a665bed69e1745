package appclient

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// MaxBodyExcerpt bounds the excerpt of an answer's body a StatusError
// carries.
const MaxBodyExcerpt = 512

// StatusError is an answer outside 2xx. Find it with errors.As.
type StatusError struct {
	// Method and URL are the request's; URL carries neither user information
	// nor query string.
	Method string
	URL    string
	// StatusCode is the answer's status code, such as 404.
	StatusCode int
	// Body is the beginning of the answer's body, at most MaxBodyExcerpt
	// bytes, cut on a character boundary.
	Body string
}

func newStatusError(method string, u *url.URL, resp *Response) *StatusError {
	body := resp.Body
	if len(body) > MaxBodyExcerpt {
		body = body[:MaxBodyExcerpt]
		for len(body) > 0 && !utf8.Valid(body) {
			body = body[:len(body)-1]
		}
	}
	return &StatusError{Method: method, URL: redact(u), StatusCode: resp.StatusCode, Body: string(body)}
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("%s %s: %d %s", e.Method, e.URL, e.StatusCode, http.StatusText(e.StatusCode))
	if body := strings.TrimSpace(e.Body); body != "" {
		msg += ": " + strings.Join(strings.Fields(body), " ")
	}
	return msg
}

// StatusCode is the status code of the *StatusError in err's chain, 0 if
// there is none.
func StatusCode(err error) int {
	var se *StatusError
	if errors.As(err, &se) {
		return se.StatusCode
	}
	return 0
}

// IsNotFound tells whether err is an answer 404 Not Found.
func IsNotFound(err error) bool { return StatusCode(err) == http.StatusNotFound }

// IsConflict tells whether err is an answer 409 Conflict.
func IsConflict(err error) bool { return StatusCode(err) == http.StatusConflict }

// IsUnavailable tells whether err is an answer 502, 503 or 504: the
// application, or what stands in front of it, cannot answer now.
func IsUnavailable(err error) bool { return retryableStatus(StatusCode(err)) }
