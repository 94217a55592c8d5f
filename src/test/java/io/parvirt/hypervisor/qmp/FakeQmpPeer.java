package io.parvirt.hypervisor.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A QEMU monitor that replays what QEMU 7.2 answered here (libvirt's qemumonitortestutils in
 * spirit): it greets, answers each command with the reply recorded for it, emits the events
 * recorded around that reply, and answers an unrecorded command as QEMU does (CommandNotFound).
 * A test can make a command fail, run a hook once a command is answered (a {@code quit} ending the
 * process, as QEMU's does), emit a recorded event at any time, or fall silent.
 *
 * <p>Recordings: {@code src/test/resources/qmp/*.jsonl}, made by running
 * {@code qemu-system-x86_64 -qmp unix:...,server=on,wait=off -machine q35,accel=tcg -nodefaults
 * -display none -S -device pvpanic} and talking to it; GUEST_PANICKED came from a write to the
 * pvpanic port ({@code human-monitor-command "o /b 0x505 1"}).
 */
public final class FakeQmpPeer extends UnixPeer {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Transcript transcript;
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final Map<String, JsonNode> errors = new ConcurrentHashMap<>();
    private final Map<String, Runnable> hooks = new ConcurrentHashMap<>();
    private final Map<String, Integer> asked = new ConcurrentHashMap<>();
    private volatile boolean sequenced;
    private volatile boolean silent;
    private volatile OutputStream out;

    private FakeQmpPeer(Path socket, Transcript transcript) throws IOException {
        super(socket);
        this.transcript = transcript;
        serve();
    }

    /** Serves QEMU 7.2's recorded q35/TCG monitor on {@code socket}. */
    public static FakeQmpPeer start(Path socket) throws IOException {
        return new FakeQmpPeer(socket, Transcript.load("/qmp/qemu-7.2-q35-tcg.jsonl",
                "/qmp/qemu-7.2-q35-tcg-panic.jsonl", "/qmp/qemu-7.2-q35-tcg-pause.jsonl"));
    }

    /**
     * A monitor whose VM an earlier daemon left paused: {@code query-status} answers {@code paused}
     * ({@code qmp/qemu-7.2-q35-tcg-pause.jsonl}, recorded from QEMU 7.2's {@code stop}/{@code cont}).
     */
    public static FakeQmpPeer startPaused(Path socket) throws IOException {
        return new FakeQmpPeer(socket, Transcript.load("/qmp/qemu-7.2-q35-tcg-pause.jsonl",
                "/qmp/qemu-7.2-q35-tcg.jsonl", "/qmp/qemu-7.2-q35-tcg-panic.jsonl"));
    }

    /**
     * QEMU 7.2's monitor around DLPAR ({@code qmp/qemu-7.2-q35-tcg-dlpar.jsonl}, recorded by
     * {@code bench/dlpar-anchor.py --record} from a real TCG guest and put in the order parvirt
     * asks): each command's recordings are replayed in turn, the last one repeated.
     */
    public static FakeQmpPeer startDlpar(Path socket) throws IOException {
        FakeQmpPeer p = new FakeQmpPeer(socket, Transcript.load("/qmp/qemu-7.2-q35-tcg-dlpar.jsonl",
                "/qmp/qemu-7.2-q35-tcg.jsonl"));
        p.sequenced = true;
        return p;
    }

    /** {@code command} is answered with this error instead of its recorded reply. */
    public FakeQmpPeer failWith(String command, String errorClass, String desc) {
        errors.put(command, JSON.createObjectNode().put("class", errorClass).put("desc", desc));
        return this;
    }

    /** Runs {@code hook} each time {@code command} has been answered (or, when silent, received). */
    public FakeQmpPeer after(String command, Runnable hook) {
        hooks.put(command, hook);
        return this;
    }

    /** From now on nothing is answered: QEMU hung. */
    public void silence() {
        silent = true;
    }

    /**
     * Emits recorded events, timestamped now, to the connected client, in one write, as QEMU sends a burst (GUEST_PANICKED, STOP, SHUTDOWN):
     * one at a time, the client could act on the first and close the monitor before the next.
     */
    public void emit(String... events) throws IOException {
        StringBuilder burst = new StringBuilder();
        for (String event : events) {
            ObjectNode e = transcript.event(event).deepCopy();
            long now = System.currentTimeMillis();
            e.putObject("timestamp").put("seconds", now / 1000).put("microseconds", now % 1000 * 1000);
            burst.append(e).append('\n');
        }
        writeRaw(burst.toString());
    }

    /** The commands received, in order. */
    public List<String> commands() {
        return List.copyOf(received);
    }

    @Override
    protected void converse(SocketChannel client) throws IOException {
        out = Channels.newOutputStream(client);
        for (JsonNode g : transcript.greeting()) {
            write(g);
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(client),
                StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            JsonNode req = JSON.readTree(line);
            String command = req.path("execute").asText();
            received.add(command);
            if (!silent) {
                answer(command, req.get("id"));
            }
            Runnable hook = hooks.get(command);
            if (hook != null) {
                hook.run();
            }
        }
    }

    private void answer(String command, JsonNode id) throws IOException {
        JsonNode error = errors.get(command);
        if (error != null) {
            write(reply(id).set("error", error));
            return;
        }
        List<JsonNode> said = (sequenced ? transcript.answer(command, asked.merge(command, 1, Integer::sum) - 1)
                : transcript.answer(command)).orElse(null);
        if (said == null) {
            write(reply(id).set("error", JSON.createObjectNode().put("class", "CommandNotFound")
                    .put("desc", "The command " + command + " has not been found")));
            return;
        }
        for (JsonNode m : said) {
            if (m.has("event")) {
                write(m);
            } else {
                ObjectNode r = m.deepCopy();
                if (id != null) {
                    r.set("id", id);
                } else {
                    r.remove("id");
                }
                write(r);
            }
        }
    }

    private static ObjectNode reply(JsonNode id) {
        ObjectNode r = JSON.createObjectNode();
        if (id != null) {
            r.set("id", id);
        }
        return r;
    }

    private void write(JsonNode m) throws IOException {
        writeRaw(m + "\n");
    }

    private void writeRaw(String lines) throws IOException {
        OutputStream o = out;
        if (o == null) {
            throw new IOException("no client connected to the fake monitor");
        }
        synchronized (this) {
            o.write(lines.getBytes(StandardCharsets.UTF_8));
            o.flush();
        }
    }
}
