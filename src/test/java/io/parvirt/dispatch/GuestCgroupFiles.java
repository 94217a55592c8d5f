package io.parvirt.dispatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parvirt.cgroup.CgroupFiles;
import io.parvirt.hypervisor.qga.GuestAgent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;

/**
 * A guest's cgroupfs through its guest agent, for the cgroup v2 test (this host's cpu controller is
 * on v1; a real v2 kernel runs only inside a partition). Reads and writes are the agent's
 * {@code guest-file-*} commands: no process in the guest, one {@code write(2)} per value (stdio
 * flushes it at close, where the kernel's refusal comes back as the close's error). Directories
 * need a program: busybox through {@code guest-exec}.
 */
final class GuestCgroupFiles implements CgroupFiles {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REPLY = Duration.ofSeconds(20);
    private final GuestAgent agent;

    GuestCgroupFiles(GuestAgent agent) {
        this.agent = agent;
    }

    @Override
    public String read(Path file) throws IOException {
        long h = open(file, "r");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            while (true) {
                JsonNode r = agent.call("guest-file-read", JSON.createObjectNode().put("handle", h).put("count", 65536),
                        REPLY);
                out.writeBytes(Base64.getDecoder().decode(r.path("buf-b64").asText("")));
                if (r.path("eof").asBoolean() || r.path("count").asInt() == 0) {
                    break;
                }
            }
        } finally {
            close(h);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void write(Path file, String value) throws IOException {
        long h = open(file, "w");
        try {
            agent.call("guest-file-write", JSON.createObjectNode().put("handle", h).put("buf-b64",
                    Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8))), REPLY);
        } catch (IOException e) {
            close(h);
            throw e;
        }
        try {
            close(h);
        } catch (IOException e) {
            throw new IOException("writing '" + value + "' to " + file + " in the guest: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean exists(Path path) {
        try {
            return busybox("test", "-e", path.toString()).exitCode() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void createDirectories(Path dir) throws IOException {
        check(busybox("mkdir", "-p", dir.toString()), "mkdir -p " + dir);
    }

    @Override
    public List<Path> directories(Path dir) {
        try {
            GuestAgent.ExecResult r = busybox("find", dir.toString(), "-mindepth", "1", "-maxdepth", "1", "-type", "d");
            return new String(r.stdout(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).map(Path::of)
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    @Override
    public void removeDirectory(Path dir) throws IOException {
        GuestAgent.ExecResult r = agent.exec("/bin/busybox", List.of("sh", "-c", "[ ! -e \"$1\" ] || rmdir \"$1\"",
                "rmdir", dir.toString()), REPLY);
        check(r, "rmdir " + dir);
    }

    /** Runs a shell command line in the guest and returns its output; fails on a non-zero exit. */
    String shell(String script) throws IOException {
        GuestAgent.ExecResult r = agent.exec("/bin/busybox", List.of("sh", "-c", script), REPLY);
        check(r, script);
        return new String(r.stdout(), StandardCharsets.UTF_8);
    }

    /** Starts a program in the guest without waiting for it; returns its pid. */
    long spawn(String script) throws IOException {
        ObjectNode a = JSON.createObjectNode().put("path", "/bin/busybox");
        a.putArray("arg").add("sh").add("-c").add(script);
        return agent.call("guest-exec", a, REPLY).path("pid").asLong();
    }

    private GuestAgent.ExecResult busybox(String... args) throws IOException {
        return agent.exec("/bin/busybox", List.of(args), REPLY);
    }

    private static void check(GuestAgent.ExecResult r, String what) throws IOException {
        if (r.exitCode() != 0) {
            throw new IOException(what + " failed in the guest (" + r.exitCode() + "): "
                    + new String(r.stderr(), StandardCharsets.UTF_8).strip());
        }
    }

    private long open(Path file, String mode) throws IOException {
        return agent.call("guest-file-open", JSON.createObjectNode().put("path", file.toString()).put("mode", mode),
                REPLY).asLong();
    }

    private void close(long handle) throws IOException {
        agent.call("guest-file-close", JSON.createObjectNode().put("handle", handle), REPLY);
    }
}
