package appclient_test

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/okt-dev/okt/okt/appclient"
)

func ExampleServiceURL() {
	fmt.Println(appclient.ServiceURL("https", "cache", "shop", 8443))
	// Output: https://cache.shop.svc:8443
}

// A health check against an application serving TLS with its own CA (here a
// test server's self-signed certificate).
func ExampleClient_GetJSON() {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"status":"up","version":"1.6.21"}`)
	}))
	defer srv.Close()
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})

	// In an operator: appclient.ServiceURL("https", cr.Name, cr.Namespace, 8443).
	c, err := appclient.New(srv.URL, appclient.WithCA(caPEM), appclient.WithTimeout(5*time.Second))
	if err != nil {
		fmt.Println(err)
		return
	}
	var health struct {
		Status  string `json:"status"`
		Version string `json:"version"`
	}
	if err := c.GetJSON(context.Background(), "/health", &health); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(health.Status, health.Version)
	// Output: up 1.6.21
}

// An answer outside 2xx is a *StatusError.
func ExampleStatusError() {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	c, err := appclient.New(srv.URL)
	if err != nil {
		fmt.Println(err)
		return
	}

	err = c.Delete(context.Background(), "/users/42")
	var se *appclient.StatusError
	if errors.As(err, &se) {
		fmt.Println(se.Method, se.StatusCode, appclient.IsNotFound(err))
	}
	// Output: DELETE 404 true
}
