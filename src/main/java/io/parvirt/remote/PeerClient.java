package io.parvirt.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLException;

/**
 * A client of one peer daemon's REST API: HTTPS with the peer's pinned certificate (plain HTTP only
 * to a loopback peer), HTTP Basic with the stored HMC user, and every call bounded by the connect and
 * request timeouts. The calls the HMC needs ({@link #cli}, {@link #system}) are here; other work
 * (mobility) adds its own with {@link #getJson}, {@link #postJson} or {@link #send}.
 * Thread-safe; one per peer, so its connections are reused.
 */
public final class PeerClient {
    /**
     * The connect timeout; the request timeout every call is bounded by; and the longer bound of an
     * HMC command run on the peer ({@link #cli}), which may wait for a guest (a shutdown, a DLPAR).
     */
    public record Timeouts(Duration connect, Duration request, Duration command) {
        public static final Timeouts DEFAULT = new Timeouts(Duration.ofSeconds(3), Duration.ofSeconds(15),
                Duration.ofMinutes(10));
    }

    /** An HMC command line's outcome on the peer: its standard output and exit code, verbatim. */
    public record CliReply(String stdout, int exitCode) {
    }

    /** A raw answer: status, headers and body, for relaying a request as it came back. */
    public record Reply(int status, java.net.http.HttpHeaders headers, byte[] body) {
        public String contentType() {
            return headers.firstValue("Content-Type").orElse("");
        }
    }

    static final ObjectMapper JSON = new ObjectMapper();
    private final Peer peer;
    private final Timeouts timeouts;
    private final HttpClient http;

    public PeerClient(Peer peer, Timeouts timeouts) {
        this.peer = peer;
        this.timeouts = timeouts;
        this.http = client(peer, timeouts);
    }

    private static HttpClient client(Peer peer, Timeouts timeouts) {
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(timeouts.connect())
                .version(HttpClient.Version.HTTP_1_1);
        if (peer.fingerprint() != null) {
            b.sslContext(PinnedTrust.context(peer.fingerprint()));
        }
        return b.build();
    }

    public Peer peer() {
        return peer;
    }

    public Timeouts timeouts() {
        return timeouts;
    }

    /**
     * Runs an HMC command line on the peer ({@code POST /api/v1/hmc/cli}) as the stored user. A
     * command may rightly run long (a shutdown, a DLPAR waiting for the guest), so it is bounded by
     * the command timeout; but while it runs the peer is asked every request timeout whether it is
     * still there, on a connection of its own, so a peer that vanished mid-way (powered off, cable
     * pulled: nothing answers, nothing is refused) is reported after a request and a connect timeout,
     * not after the command timeout.
     */
    public CliReply cli(List<String> argv, Map<String, String> files) throws RemoteException {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode a = body.putArray("argv");
        argv.forEach(a::add);
        ObjectNode f = body.putObject("files");
        files.forEach(f::put);
        var pending = http.sendAsync(request("POST", "/api/v1/hmc/cli", bytes(body), timeouts.command()),
                HttpResponse.BodyHandlers.ofByteArray());
        long deadline = System.nanoTime() + timeouts.command().toNanos();
        HttpResponse<byte[]> answer;
        while (true) {
            try {
                answer = pending.get(timeouts.request().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
                break;
            } catch (java.util.concurrent.TimeoutException e) {
                if (System.nanoTime() > deadline) {
                    pending.cancel(true);
                    throw new RemoteException(RemoteException.Kind.TIMEOUT, "The system at " + peer.address()
                            + " did not finish the command within " + timeouts.command().toSeconds() + " seconds.", e);
                }
                try {
                    send("GET", "/api/v1/daemon", null);
                } catch (RemoteException gone) {
                    pending.cancel(true);
                    throw gone;
                }
            } catch (java.util.concurrent.ExecutionException e) {
                throw failure(e.getCause(), timeouts.command());
            } catch (InterruptedException e) {
                pending.cancel(true);
                Thread.currentThread().interrupt();
                throw new RemoteException(RemoteException.Kind.TIMEOUT, "The call to " + peer.address()
                        + " was interrupted.", e);
            }
        }
        Reply r = reply(answer);
        // A command the peer ran, refused or not, carries its exit code; an answer without one never reached it.
        String exit = r.headers().firstValue("X-Parvirt-Exit-Code").orElse(null);
        if (exit == null || !exit.matches("\\d{1,3}")) {
            throw failure(r);
        }
        return new CliReply(new String(r.body(), StandardCharsets.UTF_8), Integer.parseInt(exit));
    }

    /** The peer's managed system as {@code lssyscfg -r sys} lists it ({@code GET /api/v1/system}), attributes in order. */
    public ObjectNode system() throws RemoteException {
        JsonNode n = getJson("/api/v1/system");
        if (!(n instanceof ObjectNode o) || !o.path("name").isTextual()) {
            throw new RemoteException(RemoteException.Kind.PROTOCOL, "The system at " + peer.address()
                    + " answered GET /api/v1/system with something that is not a managed system.", null);
        }
        return o;
    }

    /** {@code GET path} answering JSON; an error status is a {@link RemoteException}. */
    public JsonNode getJson(String path) throws RemoteException {
        return json(send("GET", path, null));
    }

    /** {@code POST path} with a JSON body, answering JSON (null for an empty answer). */
    public JsonNode postJson(String path, JsonNode body) throws RemoteException {
        return json(send("POST", path, bytes(body)));
    }

    private JsonNode json(Reply r) throws RemoteException {
        if (r.status() / 100 != 2) {
            throw failure(r);
        }
        if (r.body().length == 0) {
            return null;
        }
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new RemoteException(RemoteException.Kind.PROTOCOL, "The system at " + peer.address()
                    + " answered with something that is not JSON.", e);
        }
    }

    /**
     * Any request ({@code pathAndQuery} from {@code /}), answered as it came back whatever its status;
     * only a peer that cannot be reached, times out, shows another certificate or refuses the
     * credential (401) is an exception.
     */
    public Reply send(String method, String pathAndQuery, byte[] body) throws RemoteException {
        return send(method, pathAndQuery, body, timeouts.request());
    }

    /** {@link #send(String, String, byte[])} bounded by {@code timeout} instead of the request timeout. */
    public Reply send(String method, String pathAndQuery, byte[] body, Duration timeout) throws RemoteException {
        return exchange(http, request(method, pathAndQuery, body, timeout), timeout);
    }

    private Reply exchange(HttpClient client, HttpRequest request, Duration timeout) throws RemoteException {
        try {
            return reply(client.send(request, HttpResponse.BodyHandlers.ofByteArray()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RemoteException(RemoteException.Kind.TIMEOUT, "The call to " + peer.address()
                    + " was interrupted.", e);
        } catch (IOException e) {
            throw failure(e, timeout);
        }
    }

    /**
     * {@code method path} with {@code length} bytes read from {@code body} as it is sent (a file of any
     * size, never held whole), bounded by {@code timeout}. It asks {@code Expect: 100-continue}, so a
     * request the peer refuses before reading (a credential, a name in use) sends none of the bytes.
     */
    public Reply sendStream(String method, String pathAndQuery, java.util.function.Supplier<java.io.InputStream> body,
            long length, Duration timeout) throws RemoteException {
        HttpRequest r = HttpRequest.newBuilder(request(method, pathAndQuery, null, timeout), (k, v) -> true)
                .method(method, HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(body),
                        length))
                .header("Content-Type", "application/octet-stream").expectContinue(true).build();
        // a connection of its own: a pooled one the peer is closing as idle (its 30 s, the checks' period)
        // would fail this non-repeatable request with no answer at all
        try (HttpClient fresh = client(peer, timeouts)) {
            return exchange(fresh, r, timeout);
        }
    }

    private HttpRequest request(String method, String pathAndQuery, byte[] body, Duration timeout) {
        if (!pathAndQuery.startsWith("/")) {
            throw new IllegalArgumentException("a path starts with /: " + pathAndQuery);
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(peer.scheme() + "://" + peer.address().authority()
                + pathAndQuery)).timeout(timeout)
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((peer.user() + ":"
                        + peer.password()).getBytes(StandardCharsets.UTF_8)))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return b.build();
    }

    private Reply reply(HttpResponse<byte[]> r) throws RemoteException {
        if (r.statusCode() == 401) {
            throw new RemoteException(RemoteException.Kind.AUTHENTICATION, "The system at " + peer.address()
                    + " refused the user " + peer.user() + " and its password.", 401, null, null);
        }
        return new Reply(r.statusCode(), r.headers(), r.body());
    }

    /** A call that got no answer: why, as a kind. */
    private RemoteException failure(Throwable e, Duration timeout) {
        if (e instanceof HttpConnectTimeoutException) {
            return new RemoteException(RemoteException.Kind.UNREACHABLE, "The system at " + peer.address()
                    + " did not accept a connection within " + timeouts.connect().toMillis() + " ms.", e);
        }
        if (e instanceof HttpTimeoutException) {
            return new RemoteException(RemoteException.Kind.TIMEOUT, "The system at " + peer.address()
                    + " did not answer within " + timeout.toSeconds() + " seconds.", e);
        }
        return e instanceof IOException io ? transport(io) : new RemoteException(RemoteException.Kind.UNREACHABLE,
                "The system at " + peer.address() + " cannot be reached (" + e + ").", e);
    }

    private RemoteException transport(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof PinnedTrust.CertificateMismatch) {
                return new RemoteException(RemoteException.Kind.CERTIFICATE, "The system at " + peer.address()
                        + " presented another certificate than the one pinned when it was connected ("
                        + t.getMessage() + ").", e);
            }
            if (t instanceof ConnectException || t instanceof java.nio.channels.UnresolvedAddressException
                    || t instanceof java.net.UnknownHostException) {
                return new RemoteException(RemoteException.Kind.UNREACHABLE, "The system at " + peer.address()
                        + " cannot be reached (connection refused or no route).", e);
            }
        }
        if (e instanceof SSLException) {
            return new RemoteException(RemoteException.Kind.CERTIFICATE, "The system at " + peer.address()
                    + " did not complete a TLS handshake with its pinned certificate (" + e.getMessage() + ").", e);
        }
        return new RemoteException(RemoteException.Kind.UNREACHABLE, "The system at " + peer.address()
                + " cannot be reached (" + e + ").", e);
    }

    private RemoteException failure(Reply r) {
        ApiError e = apiError(r);
        return new RemoteException(RemoteException.Kind.REFUSED, "The system at " + peer.address() + " refused "
                + "the request: " + e.message(), r.status(), e.code(), null);
    }

    /** An API error answer's code (null when it has none) and sentence ({@code HTTP N} when it is not the API's). */
    public record ApiError(String code, String message) {
    }

    /** The peer's {@code {"code", "message"}} in an error answer, as it gave them. */
    public static ApiError apiError(Reply r) {
        try {
            JsonNode n = JSON.readTree(r.body());
            if (n != null && n.path("message").isTextual()) {
                return new ApiError(n.path("code").isTextual() ? n.path("code").textValue() : null,
                        n.path("message").textValue());
            }
        } catch (IOException e) {
            // not the API's error shape: the status says it
        }
        return new ApiError(null, "HTTP " + r.status());
    }

    private static byte[] bytes(JsonNode n) {
        try {
            return JSON.writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
