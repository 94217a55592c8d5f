package io.parvirt.hypervisor.qga;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parvirt.hypervisor.qmp.Transcript;
import io.parvirt.hypervisor.qmp.UnixPeer;
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
 * A guest agent replaying what qemu-ga 7.2 answered here (run on the host with
 * {@code qemu-ga -m unix-listen}, its dangerous commands blocked): {@code guest-sync-delimited} is
 * answered with 0xFF and the caller's id, as the real agent does; {@code guest-shutdown} gets no
 * answer, as from a guest going down. It starts silent (a guest still booting) until told to answer.
 */
public final class FakeGuestAgent extends UnixPeer {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Transcript transcript;
    private final Map<String, Integer> asked = new ConcurrentHashMap<>();
    private final boolean sequenced;
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final Map<String, Runnable> hooks = new ConcurrentHashMap<>();
    private volatile boolean answering;

    private FakeGuestAgent(Path socket) throws IOException {
        this(socket, false, "/qga/qemu-ga-7.2.jsonl");
    }

    private FakeGuestAgent(Path socket, boolean sequenced, String... transcripts) throws IOException {
        super(socket);
        this.transcript = Transcript.load(transcripts);
        this.sequenced = sequenced;
        serve();
    }

    /** An agent on {@code socket} that does not answer yet. */
    public static FakeGuestAgent start(Path socket) throws IOException {
        return new FakeGuestAgent(socket);
    }

    /**
     * A guest's agent around DLPAR ({@code qga/qemu-ga-7.2-dlpar.jsonl}, recorded from a real TCG
     * guest by {@code bench/dlpar-anchor.py --record}, in the order parvirt asks): each command's
     * recordings in turn, the last one repeated.
     */
    public static FakeGuestAgent startDlpar(Path socket) throws IOException {
        return new FakeGuestAgent(socket, true, "/qga/qemu-ga-7.2-dlpar.jsonl", "/qga/qemu-ga-7.2.jsonl");
    }

    /** The guest's agent is up: from now on it answers. */
    public FakeGuestAgent answer() {
        answering = true;
        return this;
    }

    /** Runs {@code hook} each time {@code command} is received while answering. */
    public FakeGuestAgent after(String command, Runnable hook) {
        hooks.put(command, hook);
        return this;
    }

    /** The commands received (sync exchanges left out), in order. */
    public List<String> commands() {
        return List.copyOf(received);
    }

    @Override
    protected void converse(SocketChannel client) throws IOException {
        OutputStream out = Channels.newOutputStream(client);
        BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(client),
                StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            JsonNode req = JSON.readTree(line);
            String command = req.path("execute").asText();
            if (!answering) {
                continue;
            }
            if (command.equals("guest-sync-delimited")) {
                out.write(0xFF);
                send(out, JSON.createObjectNode().set("return", req.path("arguments").path("id")));
                continue;
            }
            received.add(command + (command.equals("guest-shutdown")
                    ? ":" + req.path("arguments").path("mode").asText() : ""));
            if (!command.equals("guest-shutdown")) {
                var said = sequenced ? transcript.answer(command, asked.merge(command, 1, Integer::sum) - 1)
                        : transcript.answer(command);
                send(out, said.map(List::getFirst).orElseGet(() -> notFound(command)));
            }
            Runnable hook = hooks.get(command);
            if (hook != null) {
                hook.run();
            }
        }
    }

    private static JsonNode notFound(String command) {
        ObjectNode r = JSON.createObjectNode();
        r.putObject("error").put("class", "CommandNotFound").put("desc", "The command " + command
                + " has not been found");
        return r;
    }

    private static void send(OutputStream out, JsonNode m) throws IOException {
        out.write((m + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
