package io.parvirt.hypervisor.qga;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The guest agent of one partition. QEMU serves one client at a time on the chardev, so calls
 * are serialised on this object and each opens its own short connection.
 */
public final class GuestAgent {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path socket;

    public GuestAgent(Path socket) {
        this.socket = socket;
    }

    /** The result of {@code guest-exec}: exit code and decoded output. */
    public record ExecResult(int exitCode, byte[] stdout, byte[] stderr) {
    }

    /** True when the agent answers within the timeout. */
    public boolean ping(Duration timeout) {
        try {
            call("guest-ping", null, timeout);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public JsonNode osInfo() throws IOException {
        return call("guest-get-osinfo", null, Duration.ofSeconds(10));
    }

    public JsonNode interfaces() throws IOException {
        return call("guest-network-get-interfaces", null, Duration.ofSeconds(10));
    }

    /** {@code mode}: powerdown, reboot or halt. The agent does not answer a shutdown. */
    public void shutdown(String mode) throws IOException {
        ObjectNode a = JSON.createObjectNode().put("mode", mode);
        try {
            call("guest-shutdown", a, Duration.ofSeconds(5));
        } catch (GuestAgentException e) {
            if (!e.timedOut()) {
                throw e;
            }
        }
    }

    /** A logical processor as the guest sees it ({@code guest-get-vcpus}). */
    public record GuestVcpu(int logicalId, boolean online, boolean canOffline) {
    }

    /** {@code guest-get-vcpus}: the processors the guest kernel knows, online or not. */
    public List<GuestVcpu> vcpus() throws IOException {
        List<GuestVcpu> out = new java.util.ArrayList<>();
        for (JsonNode v : call("guest-get-vcpus", null, Duration.ofSeconds(10))) {
            out.add(new GuestVcpu(v.path("logical-id").asInt(), v.path("online").asBoolean(),
                    v.path("can-offline").asBoolean(false)));
        }
        return out;
    }

    /**
     * {@code guest-set-vcpus}: brings processors online or offline; returns how many of them, in
     * order, the guest changed (it stops at the first it cannot).
     */
    public int setVcpus(List<Integer> logicalIds, boolean online) throws IOException {
        ObjectNode a = JSON.createObjectNode();
        var arr = a.putArray("vcpus");
        for (int id : logicalIds) {
            arr.addObject().put("logical-id", id).put("online", online);
        }
        return call("guest-set-vcpus", a, Duration.ofSeconds(30)).asInt();
    }

    /**
     * {@code guest-fsfreeze-freeze}: the guest flushes and freezes its file systems (writes to them
     * wait) until {@link #thawFilesystems}; returns how many it froze.
     */
    public int freezeFilesystems(Duration timeout) throws IOException {
        return call("guest-fsfreeze-freeze", null, timeout).asInt();
    }

    /** {@code guest-fsfreeze-thaw}; returns how many file systems it thawed. */
    public int thawFilesystems(Duration timeout) throws IOException {
        return call("guest-fsfreeze-thaw", null, timeout).asInt();
    }

    /** The guest's {@code MemTotal} in kB, from /proc/meminfo (read with the guest's cat). */
    public long memTotalKb() throws IOException {
        ExecResult r = exec("cat", List.of("/proc/meminfo"), Duration.ofSeconds(10));
        for (String line : new String(r.stdout(), StandardCharsets.UTF_8).split("\n")) {
            if (line.startsWith("MemTotal:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new GuestAgentException("the guest's /proc/meminfo has no MemTotal", false);
    }

    /** Runs a program in the guest, waits for it and returns its output. */
    public ExecResult exec(String path, List<String> args, Duration timeout) throws IOException {
        ObjectNode a = JSON.createObjectNode().put("path", path).put("capture-output", true);
        var arr = a.putArray("arg");
        args.forEach(arr::add);
        long pid = call("guest-exec", a, Duration.ofSeconds(10)).path("pid").asLong();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode s = call("guest-exec-status", JSON.createObjectNode().put("pid", pid), Duration.ofSeconds(10));
            if (s.path("exited").asBoolean()) {
                return new ExecResult(s.path("exitcode").asInt(s.has("signal") ? 128 + s.path("signal").asInt() : 0),
                        decode(s, "out-data"), decode(s, "err-data"));
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new GuestAgentException("interrupted", false);
            }
        }
        throw new GuestAgentException(path + " did not finish in the guest within " + timeout.toSeconds() + " s",
                true);
    }

    private static byte[] decode(JsonNode s, String field) {
        return s.has(field) ? Base64.getDecoder().decode(s.get(field).asText()) : new byte[0];
    }

    /** One exchange: sync, then the command; returns its {@code return}. */
    public synchronized JsonNode call(String command, ObjectNode arguments, Duration timeout) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            OutputStream out = Channels.newOutputStream(ch);
            InputStream in = new java.io.BufferedInputStream(Channels.newInputStream(ch));
            long id = ThreadLocalRandom.current().nextLong(1, Integer.MAX_VALUE);
            // A silent agent must not hang the caller: the watchdog closes the channel at the deadline.
            Thread watchdog = Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(timeout);
                    ch.close();
                } catch (InterruptedException | IOException e) {
                    // answered in time
                }
            });
            try {
                return exchange(out, in, id, command, arguments);
            } catch (java.nio.channels.ClosedChannelException e) {
                throw new GuestAgentException(command + ": the guest agent did not answer within "
                        + timeout.toMillis() + " ms", true);
            } finally {
                watchdog.interrupt();
            }
        }
    }

    private static JsonNode exchange(OutputStream out, InputStream in, long id, String command,
            ObjectNode arguments) throws IOException {
        send(out, JSON.createObjectNode().put("execute", "guest-sync-delimited")
                .set("arguments", JSON.createObjectNode().put("id", id)));
        // The agent answers sync with 0xFF then the reply: skip anything before the sentinel.
        while (true) {
            int b = read(in, command);
            if (b == 0xFF) {
                break;
            }
        }
        JsonNode sync = JSON.readTree(readLine(in, command));
        if (sync.path("return").asLong() != id) {
            throw new GuestAgentException("the guest agent answered sync with the wrong id", false);
        }
        ObjectNode req = JSON.createObjectNode().put("execute", command);
        if (arguments != null) {
            req.set("arguments", arguments);
        }
        send(out, req);
        JsonNode reply = JSON.readTree(readLine(in, command));
        if (reply.has("error")) {
            throw new GuestAgentException(command + ": " + reply.path("error").path("desc").asText(), false);
        }
        return reply.path("return");
    }

    private static void send(OutputStream out, JsonNode msg) throws IOException {
        out.write((msg + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static String readLine(InputStream in, String command) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = read(in, command);
            if (b == '\n') {
                return line.toString(StandardCharsets.UTF_8);
            }
            if (b != 0xFF) {
                line.write(b);
            }
        }
    }

    private static int read(InputStream in, String command) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new GuestAgentException(command + ": the guest agent closed the connection", true);
        }
        return b;
    }
}
