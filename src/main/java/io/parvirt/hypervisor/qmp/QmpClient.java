package io.parvirt.hypervisor.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A QMP connection. {@code connect} reads the greeting and negotiates capabilities; a reader on a
 * virtual thread completes pending requests and hands events to the listener.
 */
public final class QmpClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final SocketChannel channel;
    private final OutputStream out;
    private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final Consumer<JsonNode> events;
    private volatile boolean closed;

    private QmpClient(SocketChannel channel, Consumer<JsonNode> events) {
        this.channel = channel;
        this.out = Channels.newOutputStream(channel);
        this.events = events;
    }

    public static QmpClient connect(Path socket, Consumer<JsonNode> events) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(socket));
            BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(ch),
                    StandardCharsets.UTF_8));
            String greeting = in.readLine();
            if (greeting == null || !JSON.readTree(greeting).has("QMP")) {
                throw new QmpException("Protocol", "no QMP greeting on " + socket);
            }
            QmpClient c = new QmpClient(ch, events);
            Thread.ofVirtual().name("qmp-" + socket.getFileName()).start(() -> c.readLoop(in));
            c.execute("qmp_capabilities", null);
            return c;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private void readLoop(BufferedReader in) {
        try {
            String line;
            while ((line = in.readLine()) != null) {
                JsonNode msg = JSON.readTree(line);
                if (msg.has("event")) {
                    events.accept(msg);
                } else if (msg.has("id")) {
                    CompletableFuture<JsonNode> f = pending.remove(msg.get("id").asText());
                    if (f != null) {
                        f.complete(msg);
                    }
                }
            }
        } catch (IOException e) {
            // the monitor went away: fail what is pending below
        }
        closed = true;
        pending.values().forEach(f -> f.completeExceptionally(new QmpException("Disconnected",
                "the QMP connection closed")));
        pending.clear();
    }

    /** How long a command waits for its answer unless told otherwise. */
    public static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(30);

    /** Runs one command and returns its {@code return} value; a QMP error becomes a {@link QmpException}. */
    public JsonNode execute(String command, ObjectNode arguments) throws IOException {
        return execute(command, arguments, ANSWER_TIMEOUT);
    }

    /** As {@link #execute(String, ObjectNode)}, waiting at most {@code timeout} for the answer. */
    public JsonNode execute(String command, ObjectNode arguments, Duration timeout) throws IOException {
        if (closed) {
            throw new QmpException("Disconnected", "the QMP connection is closed");
        }
        String id = Long.toString(ids.incrementAndGet());
        ObjectNode req = JSON.createObjectNode().put("execute", command).put("id", id);
        if (arguments != null) {
            req.set("arguments", arguments);
        }
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        pending.put(id, f);
        synchronized (out) {
            out.write((req + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
        try {
            JsonNode reply = f.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (reply.has("error")) {
                throw new QmpException(reply.path("error").path("class").asText(),
                        command + ": " + reply.path("error").path("desc").asText());
            }
            return reply.path("return");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (TimeoutException e) {
            pending.remove(id);
            throw new QmpException("Timeout", command + ": no answer from QEMU within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            pending.remove(id);
            Thread.currentThread().interrupt();
            throw new QmpException("Interrupted", command + ": interrupted");
        }
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException e) {
            // closing an already broken connection
        }
    }
}
