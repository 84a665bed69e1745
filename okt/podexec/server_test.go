package podexec_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	remotecommandconsts "k8s.io/apimachinery/pkg/util/remotecommand"
	"k8s.io/client-go/rest"
	"k8s.io/streaming/pkg/httpstream"
	"k8s.io/streaming/pkg/httpstream/spdy"
	"k8s.io/streaming/pkg/httpstream/wsstream"
)

// apiServer is an in-process stand-in for the API server and the kubelet
// behind it: it serves GET of Pods and their exec subresource, speaking the
// remote command protocol over SPDY (v4.channel.k8s.io) and WebSocket
// (v5.channel.k8s.io), with the exit code on the error channel as the kubelet
// sends it. Commands are Go functions (see command), not processes.
type apiServer struct {
	srv      *httptest.Server
	pods     map[string]*corev1.Pod // by namespace/name
	spdyOnly bool                   // refuse WebSocket upgrades, as API servers before 1.30
	stop     chan struct{}          // closed when the test ends: blocked commands return

	mu    sync.Mutex
	execs []execCall
}

// execCall is an exec request the server served.
type execCall struct {
	Namespace, Pod, Container string
	Command                   []string
	Stdin                     bool
	Protocol                  string
}

func newAPIServer(t *testing.T, spdyOnly bool, pods ...*corev1.Pod) *apiServer {
	t.Helper()
	s := &apiServer{pods: map[string]*corev1.Pod{}, spdyOnly: spdyOnly, stop: make(chan struct{})}
	for _, p := range pods {
		s.pods[p.Namespace+"/"+p.Name] = p
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/namespaces/{ns}/pods/{name}", s.getPod)
	mux.HandleFunc("/api/v1/namespaces/{ns}/pods/{name}/exec", s.exec)
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	t.Cleanup(func() { close(s.stop) }) // first: commands still blocked return
	return s
}

func (s *apiServer) config() *rest.Config { return &rest.Config{Host: s.srv.URL} }

func (s *apiServer) calls() []execCall {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]execCall(nil), s.execs...)
}

func pod(namespace, name string, containers ...string) *corev1.Pod {
	p := &corev1.Pod{
		TypeMeta:   metav1.TypeMeta{Kind: "Pod", APIVersion: "v1"},
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Status:     corev1.PodStatus{Phase: corev1.PodRunning},
	}
	for _, c := range containers {
		p.Spec.Containers = append(p.Spec.Containers, corev1.Container{Name: c, Image: "app"})
	}
	return p
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *apiServer) getPod(w http.ResponseWriter, r *http.Request) {
	p, ok := s.pods[r.PathValue("ns")+"/"+r.PathValue("name")]
	if !ok {
		writeJSON(w, http.StatusNotFound, &metav1.Status{
			TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"},
			Status:   metav1.StatusFailure,
			Reason:   metav1.StatusReasonNotFound,
			Code:     http.StatusNotFound,
			Message:  fmt.Sprintf("pods %q not found", r.PathValue("name")),
			Details:  &metav1.StatusDetails{Name: r.PathValue("name"), Kind: "pods"},
		})
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// command runs a fake command: its exit code.
//
//	echo ARGS...        ARGS on stdout
//	warn ARGS...        ARGS on stderr
//	exit CODE           "bye" on stdout, "failing" on stderr, exit CODE
//	cat                 stdin to stdout
//	sleep               waits for the end of the test
//	yes N               N bytes "y" on stdout
func command(argv []string, stdin io.Reader, stdout, stderr io.Writer, stop <-chan struct{}) int {
	switch argv[0] {
	case "echo":
		_, _ = fmt.Fprintln(stdout, strings.Join(argv[1:], " "))
	case "warn":
		_, _ = fmt.Fprintln(stderr, strings.Join(argv[1:], " "))
	case "exit":
		_, _ = io.WriteString(stdout, "bye\n")
		_, _ = io.WriteString(stderr, "failing\n")
		code, _ := strconv.Atoi(argv[1])
		return code
	case "cat":
		_, _ = io.Copy(stdout, stdin)
	case "sleep":
		<-stop
	case "yes":
		n, _ := strconv.Atoi(argv[1])
		_, _ = io.WriteString(stdout, strings.Repeat("y", n))
	default:
		_, _ = fmt.Fprintf(stderr, "%s: not found\n", argv[0])
		return 127
	}
	return 0
}

// exitStatus is what the kubelet writes on the error channel for a
// non-zero exit code.
func exitStatus(code int) []byte {
	data, _ := json.Marshal(&metav1.Status{
		Status:  metav1.StatusFailure,
		Reason:  remotecommandconsts.NonZeroExitCodeReason,
		Message: fmt.Sprintf("command terminated with non-zero exit code: exit status %d", code),
		Details: &metav1.StatusDetails{Causes: []metav1.StatusCause{{
			Type:    remotecommandconsts.ExitCodeCauseType,
			Message: strconv.Itoa(code),
		}}},
	})
	return data
}

func (s *apiServer) exec(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	call := execCall{
		Namespace: r.PathValue("ns"),
		Pod:       r.PathValue("name"),
		Container: q.Get("container"),
		Command:   q["command"],
		Stdin:     q.Get("stdin") == "true",
	}
	if len(call.Command) == 0 {
		http.Error(w, "no command", http.StatusBadRequest)
		return
	}
	if wsstream.IsWebSocketRequest(r) {
		if s.spdyOnly {
			http.Error(w, "websocket not supported", http.StatusBadRequest)
			return
		}
		s.serveWebSocket(w, r, call)
		return
	}
	s.serveSPDY(w, r, call)
}

func (s *apiServer) record(call execCall) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.execs = append(s.execs, call)
}

func (s *apiServer) serveSPDY(w http.ResponseWriter, r *http.Request, call execCall) {
	protocol, err := httpstream.Handshake(r, w, []string{remotecommandconsts.StreamProtocolV4Name})
	if err != nil {
		return // Handshake answered 403
	}
	call.Protocol = "spdy/" + protocol
	type created struct {
		stream    httpstream.Stream
		replySent <-chan struct{}
	}
	streams := make(chan created, 8)
	conn := spdy.NewResponseUpgrader().UpgradeResponse(w, r, func(st httpstream.Stream, replySent <-chan struct{}) error {
		streams <- created{st, replySent}
		return nil
	})
	if conn == nil {
		return // UpgradeResponse answered the error
	}
	defer conn.Close()

	want := 3 // error, stdout, stderr
	if call.Stdin {
		want++
	}
	byType := map[string]httpstream.Stream{}
	expire := time.After(30 * time.Second)
	for len(byType) < want {
		select {
		case c := <-streams:
			<-c.replySent
			byType[c.stream.Headers().Get(corev1.StreamType)] = c.stream
		case <-expire:
			return
		}
	}
	s.record(call)
	var stdin io.Reader = strings.NewReader("")
	if st, ok := byType[corev1.StreamTypeStdin]; ok {
		stdin = st
	}
	stop := make(chan struct{})
	go func() {
		select {
		case <-conn.CloseChan():
		case <-s.stop:
		}
		close(stop)
	}()
	code := command(call.Command, stdin, byType[corev1.StreamTypeStdout], byType[corev1.StreamTypeStderr], stop)
	_ = byType[corev1.StreamTypeStdout].Close()
	_ = byType[corev1.StreamTypeStderr].Close()
	if code != 0 {
		_, _ = byType[corev1.StreamTypeError].Write(exitStatus(code))
	}
	_ = byType[corev1.StreamTypeError].Close()
}

func (s *apiServer) serveWebSocket(w http.ResponseWriter, r *http.Request, call execCall) {
	in := wsstream.ReadChannel
	if !call.Stdin {
		in = wsstream.IgnoreChannel
	}
	// Channels: stdin, stdout, stderr, error, resize.
	channels := []wsstream.ChannelType{in, wsstream.WriteChannel, wsstream.WriteChannel, wsstream.WriteChannel, wsstream.IgnoreChannel}
	conn := wsstream.NewConn(map[string]wsstream.ChannelProtocolConfig{
		remotecommandconsts.StreamProtocolV5Name: {Binary: true, Channels: channels},
		remotecommandconsts.StreamProtocolV4Name: {Binary: true, Channels: channels},
	})
	protocol, rwc, err := conn.Open(w, r)
	if err != nil {
		return
	}
	defer conn.Close()
	call.Protocol = "websocket/" + protocol
	s.record(call)
	// client-go's WebSocket client makes its streams after the upgrade, on
	// its side only; a server that writes and closes before that (an
	// in-process command is instant) makes it fail with "closed all
	// streams" and drop the output. A kubelet takes longer than this to
	// start a command in a container.
	time.Sleep(100 * time.Millisecond)
	var stdin io.Reader = strings.NewReader("")
	if call.Stdin {
		stdin = rwc[0]
	}
	code := command(call.Command, stdin, rwc[1], rwc[2], s.stop)
	if code != 0 {
		_, _ = rwc[3].Write(exitStatus(code))
	}
}
