package io.parvirt.hypervisor.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A conversation recorded from a real peer (QEMU's monitor, qemu-ga), one JSON object a line:
 * {@code {"send": ...}} is what the client sent, {@code {"recv": ...}} what the peer answered or
 * emitted, {@code {"sentinel": true}} the agent's 0xFF before a sync reply. What a fake replays for
 * a command is everything the peer said after the first recording of that command and before the
 * client's next message: its reply, and the events it emitted around it.
 */
public final class Transcript {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final List<JsonNode> greeting = new ArrayList<>();
    private final Map<String, List<JsonNode>> answers = new LinkedHashMap<>();
    private final Map<String, JsonNode> events = new LinkedHashMap<>();
    /** Every recording of each command, in order, from the resource that recorded it first. */
    private final Map<String, List<List<JsonNode>>> sequences = new LinkedHashMap<>();
    private int resource;
    private final Map<String, Integer> owner = new LinkedHashMap<>();

    /** Reads transcripts from the test resources; a later one adds what the earlier ones lack. */
    public static Transcript load(String... resources) {
        Transcript t = new Transcript();
        for (String r : resources) {
            try (InputStream in = Transcript.class.getResourceAsStream(r)) {
                if (in == null) {
                    throw new IllegalArgumentException("no test resource " + r);
                }
                t.read(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
                t.resource++;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return t;
    }

    private void read(BufferedReader in) throws IOException {
        String command = null;
        List<JsonNode> said = null;
        boolean first = greeting.isEmpty();
        String line;
        while ((line = in.readLine()) != null) {
            JsonNode m = JSON.readTree(line);
            if (m.has("send")) {
                command = m.get("send").path("execute").asText();
                said = new ArrayList<>();
                answers.putIfAbsent(command, said);
                if (owner.computeIfAbsent(command, c -> resource) == resource) {
                    sequences.computeIfAbsent(command, c -> new ArrayList<>()).add(said);
                }
            } else if (m.has("recv")) {
                JsonNode r = m.get("recv");
                if (r.has("event")) {
                    events.putIfAbsent(r.get("event").asText(), r);
                }
                if (command == null && first) {
                    greeting.add(r);
                } else if (said != null) {
                    said.add(r);
                }
            }
        }
    }

    /** What the peer says first (QEMU's {@code {"QMP": ...}}); empty for the agent. */
    public List<JsonNode> greeting() {
        return greeting;
    }

    /** The recorded reply to {@code command} and the events around it, in the order they came. */
    public Optional<List<JsonNode>> answer(String command) {
        return Optional.ofNullable(answers.get(command));
    }

    /**
     * The {@code n}th recorded reply to {@code command} (from 0; the last one once the recordings
     * run out), for fakes that replay a conversation whose answers change (DLPAR).
     */
    public Optional<List<JsonNode>> answer(String command, int n) {
        List<List<JsonNode>> all = sequences.get(command);
        return all == null ? Optional.empty() : Optional.of(all.get(Math.min(n, all.size() - 1)));
    }

    /** A recorded event by name (its first recording). */
    public JsonNode event(String name) {
        JsonNode e = events.get(name);
        if (e == null) {
            throw new IllegalArgumentException("no recorded event " + name + "; recorded: " + events.keySet());
        }
        return e;
    }
}
