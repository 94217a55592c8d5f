package io.parvirt.remote;

import io.parvirt.durable.AtomicFile;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * The stored connections, {@code <home>/sysconn/connections.json}: each peer's address, user,
 * password and pinned fingerprint. The password must be sent to the peer, so it is kept as given;
 * the file is 0600 in a 0700 directory, as the home's token is, and replaced whole by an atomic rename
 * so a crash leaves the old list or the new one, never half of either.
 * <pre>
 * {"connections": [{"host": "10.0.0.2", "port": 12443, "user": "hscroot", "password": "...",
 *                   "fingerprint": "AB:CD:...", "name": "sys2", "mtms": "PVRT-KVM*1A2B3C4D"}]}
 * </pre>
 */
public final class PeerFile {
    private final Path file;

    public PeerFile(Path dir) {
        this.file = dir.resolve("connections.json");
    }

    public Path path() {
        return file;
    }

    /** The stored peers; none when there is no file yet. */
    public List<Peer> load() {
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            JsonNode root = PeerClient.JSON.readTree(file.toFile());
            List<Peer> out = new ArrayList<>();
            for (JsonNode n : root.path("connections")) {
                out.add(new Peer(new SystemAddress(n.path("host").asText(), n.path("port").asInt()),
                        n.path("user").asText(), n.path("password").asText(),
                        n.path("fingerprint").isTextual() ? n.path("fingerprint").asText() : null,
                        n.path("name").asText(""), n.path("mtms").asText("")));
            }
            return out;
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot read the system connections in " + file + ": " + e.getMessage(), e);
        }
    }

    /** Replaces the stored list with {@code peers}. */
    public void save(List<Peer> peers) {
        ObjectNode root = PeerClient.JSON.createObjectNode();
        ArrayNode a = root.putArray("connections");
        for (Peer p : peers) {
            ObjectNode o = a.addObject();
            o.put("host", p.address().host());
            o.put("port", p.address().port());
            o.put("user", p.user());
            o.put("password", p.password());
            if (p.fingerprint() != null) {
                o.put("fingerprint", p.fingerprint());
            }
            o.put("name", p.name());
            o.put("mtms", p.mtms());
        }
        try {
            Path dir = file.getParent();
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            // rw-------: the file holds the systems' credentials
            AtomicFile.replace(file, PeerClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store the system connections in " + file, e);
        }
    }
}
