package io.parvirt.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.sse.SseClient;
import io.parvirt.hmc.Hmc;
import io.parvirt.hmc.HmcResult;
import io.parvirt.hmc.Row;
import io.parvirt.hmc.command.Filters;
import io.parvirt.hmc.command.Format;
import io.parvirt.hmc.command.PowerCommand.ListRefcode;
import io.parvirt.hmc.command.SyscfgCommand.ListSyscfg;
import io.parvirt.hmc.command.SyscfgCommand.Resource;
import io.parvirt.model.ModelException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * {@code GET /api/v1/feed}: the partitions table as one server-sent event stream per browser. The
 * first event ({@code snapshot}) is every partition's row; then a {@code changes} event carries the
 * rows that changed ({@code rows}) and the ids removed ({@code removed}), whoever caused the change
 * (the browser, the CLI, a guest powering itself off). Nothing polls: the managed system tells the
 * feed of each change ({@link io.parvirt.system.ManagedSystem#onChange}: a committed definition, a
 * run-state transition), and one sampler thread, alive only while someone listens, reads the same
 * listings as {@code lssyscfg}, {@code lsrefcode} once per burst of changes ({@link #COALESCE_MS})
 * and sends only differences. An idle table costs a comment every {@link #HEARTBEAT_MS} ms.
 */
final class PartitionFeed {
    /** Changes that come together (an activation's few transitions, a batch of mksyscfg) make one sample. */
    static final long COALESCE_MS = 20;
    /**
     * The hypervisor reports a transition just before the new state can be read (its switch ports
     * must leave first), so each burst is read once more when it has settled.
     */
    static final long SETTLE_MS = 250;
    /** A browser that went away is only noticed when a write to it fails: a comment now and then finds it. */
    static final long HEARTBEAT_MS = 10_000;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(PartitionFeed.class);
    private final Hmc hmc;
    private final Set<SseClient> clients = new CopyOnWriteArraySet<>();
    private final Runnable listener = this::changed;
    private final java.util.concurrent.atomic.AtomicLong samples = new java.util.concurrent.atomic.AtomicLong();
    private final Object signal = new Object();
    private boolean dirty;
    private Map<String, String> last = Map.of();
    private Thread sampler;
    private Object profilesOf;
    private Map<String, Row> profiles = Map.of();

    PartitionFeed(Hmc hmc) {
        this.hmc = hmc;
        hmc.system().onChange(listener);
    }

    /** Listings read since the start: each is work the feed did for its browsers. */
    long samples() {
        return samples.get();
    }

    int clients() {
        return clients.size();
    }

    /** A new browser: authorised as its user (a listing), sent the whole table, then the changes. */
    void subscribe(SseClient client, String user) {
        Map<String, ObjectNode> rows = table(user);
        client.keepAlive();
        client.onClose(() -> clients.remove(client));
        synchronized (this) {
            ArrayNode a = Json.MAPPER.createArrayNode();
            rows.values().forEach(a::add);
            client.sendEvent("snapshot", a.toString());
            clients.add(client);
            if (sampler == null || !sampler.isAlive()) {
                last = strings(rows);
                sampler = Thread.ofVirtual().name("partition-feed").start(this::run);
            }
        }
    }

    /** On the changer's thread: only a note for the sampler, and nothing at all while no one listens. */
    private void changed() {
        if (clients.isEmpty()) {
            return;
        }
        synchronized (signal) {
            dirty = true;
            signal.notifyAll();
        }
    }

    private void run() {
        long settleAt = 0;
        long heartbeatAt = System.nanoTime() + HEARTBEAT_MS * 1_000_000;
        while (!clients.isEmpty()) {
            try {
                boolean changes;
                synchronized (signal) {
                    long wakeAt = settleAt != 0 ? Math.min(settleAt, heartbeatAt) : heartbeatAt;
                    long wait;
                    while (!dirty && (wait = wakeAt - System.nanoTime()) > 0) {
                        signal.wait(Math.max(1, wait / 1_000_000));
                    }
                    changes = dirty;
                }
                if (changes) {
                    Thread.sleep(COALESCE_MS);
                    synchronized (signal) {
                        dirty = false;
                    }
                    sample();
                    settleAt = System.nanoTime() + SETTLE_MS * 1_000_000;
                } else if (settleAt != 0 && System.nanoTime() >= settleAt) {
                    settleAt = 0;
                    sample();
                }
                if (System.nanoTime() >= heartbeatAt) {
                    heartbeat();
                    heartbeatAt = System.nanoTime() + HEARTBEAT_MS * 1_000_000;
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // a listing that failed once (a partition removed mid-listing) is read again at the next change
                LOG.debug("partition feed sample failed", e);
            }
        }
    }

    private synchronized void sample() {
        samples.incrementAndGet();
        Map<String, ObjectNode> rows = table(null);
        Map<String, String> now = strings(rows);
        ArrayNode changed = Json.MAPPER.createArrayNode();
        now.forEach((id, s) -> {
            if (!s.equals(last.get(id))) {
                changed.add(rows.get(id));
            }
        });
        ArrayNode removed = Json.MAPPER.createArrayNode();
        last.keySet().stream().filter(id -> !now.containsKey(id)).forEach(removed::add);
        last = now;
        if (changed.isEmpty() && removed.isEmpty()) {
            return;
        }
        ObjectNode event = Json.MAPPER.createObjectNode();
        event.set("rows", changed);
        event.set("removed", removed);
        String data = event.toString();
        for (SseClient c : clients) {
            send(c, () -> c.sendEvent("changes", data));
        }
    }

    /** A browser whose connection failed is dropped at once: nothing is retried against it. */
    private void send(SseClient c, Runnable write) {
        if (c.terminated()) {
            clients.remove(c);
            return;
        }
        try {
            write.run();
        } catch (RuntimeException e) {
            clients.remove(c);
            try {
                c.close();
            } catch (RuntimeException ignored) {
                // it is gone either way
            }
        }
    }

    /** The server stops: every stream ends and the sampler with them. */
    synchronized void close() {
        hmc.system().removeChangeListener(listener);
        for (SseClient c : clients) {
            clients.remove(c);
            try {
                c.close();
            } catch (RuntimeException ignored) {
                // a connection that is already gone
            }
        }
        if (sampler != null) {
            sampler.interrupt();
        }
    }

    private void heartbeat() {
        for (SseClient c : clients) {
            send(c, () -> c.sendComment(""));
        }
    }

    /**
     * Each partition's row of the table, by id: its listing, its default (or current) profile's
     * desired resources, and its reference code. {@code user} null is the daemon itself.
     */
    private Map<String, ObjectNode> table(String user) {
        List<Row> lpars = rows(hmc.execute(new ListSyscfg(Resource.LPAR, sys(), Filters.NONE, Format.PAIRS), user));
        Map<String, Row> profiles = profiles(user);
        Map<String, String> refcodes = new HashMap<>();
        for (Row r : rows(hmc.execute(new ListRefcode(sys(), Filters.NONE, Format.PAIRS), user))) {
            refcodes.put(get(r, "lpar_id"), get(r, "refcode"));
        }
        Map<String, ObjectNode> table = new LinkedHashMap<>();
        for (Row l : lpars) {
            String id = get(l, "lpar_id");
            String current = get(l, "curr_profile");
            Row prof = profiles.get(id + "/" + (current.isEmpty() ? get(l, "default_profile") : current));
            ObjectNode o = Json.MAPPER.createObjectNode();
            o.put("name", get(l, "name")).put("lpar_id", id).put("state", get(l, "state"))
                    .put("lpar_env", get(l, "lpar_env")).put("profile", prof == null ? "" : get(prof, "name"))
                    .put("proc_mode", prof == null ? "" : get(prof, "proc_mode"))
                    .put("proc_units", prof == null ? "" : get(prof, "desired_proc_units"))
                    .put("procs", prof == null ? "" : get(prof, "desired_procs"))
                    .put("mem", prof == null ? "" : get(prof, "desired_mem"))
                    .put("refcode", refcodes.getOrDefault(id, ""));
            table.put(id, o);
        }
        return table;
    }

    /**
     * Profiles change only with the definition (a new object at each commit), so they are listed
     * again only then: most samples read just states and reference codes.
     */
    private synchronized Map<String, Row> profiles(String user) {
        Object def = hmc.system().definition();
        if (def != profilesOf || user != null) {
            Map<String, Row> m = new HashMap<>();
            for (Row p : rows(hmc.execute(new ListSyscfg(Resource.PROF, sys(), Filters.NONE, Format.PAIRS), user))) {
                m.put(get(p, "lpar_id") + "/" + get(p, "name"), p);
            }
            profiles = m;
            profilesOf = def;
        }
        return profiles;
    }

    private String sys() {
        return hmc.system().definition().settings().name();
    }

    private static Map<String, String> strings(Map<String, ObjectNode> rows) {
        Map<String, String> m = new HashMap<>();
        rows.forEach((id, o) -> m.put(id, o.toString()));
        return m;
    }

    private static List<Row> rows(HmcResult r) {
        if (r.error() != null) {
            throw new ModelException(ModelException.Kind.NOT_AUTHORIZED, null, r.error().message());
        }
        return r.rows() == null ? List.of() : r.rows();
    }

    private static String get(Row r, String name) {
        int i = r.names().indexOf(name);
        return i < 0 ? "" : r.values().get(i);
    }
}
