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
 *
 * <p>The table last read is kept, with each row's JSON ({@link Table}): a new browser is sent it
 * without a listing while no change came since it was read (and the last change had settled
 * before), which is what makes a first load at 1000 partitions cheap for the daemon.
 *
 * <p>Each browser gets only the rows its user may list: a user limited by a managed-resource role
 * (issue 12) is sent the changes of its own partitions and nothing of the others, as its
 * {@code lssyscfg} would show. A stream opened with a browser session ends when that session does
 * (logout at once, the idle timeout at the next heartbeat); the page then asks for a login.
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
    private final WebSessions sessions;
    private final Set<Watcher> clients = new CopyOnWriteArraySet<>();
    private final Runnable listener = this::changed;
    private final java.util.concurrent.atomic.AtomicLong samples = new java.util.concurrent.atomic.AtomicLong();
    private final Object signal = new Object();
    private boolean dirty;
    /** Changes told since the start, and when the last one came: what makes the kept table stale. */
    private final java.util.concurrent.atomic.AtomicLong changes = new java.util.concurrent.atomic.AtomicLong();
    private volatile long lastChangeAt = System.nanoTime() - SETTLE_MS * 2_000_000;
    private final java.util.concurrent.atomic.AtomicLong snapshotListings = new java.util.concurrent.atomic.AtomicLong();
    /** The table last read (the sampler's, or a new browser's when no one listened): never null after the first. */
    private Table last = Table.EMPTY;
    private Thread sampler;
    private Object profilesOf;
    private Map<String, Row> profiles = Map.of();

    /**
     * One browser's stream: its user (null: the home's owner), its login (null with Basic or a
     * token) and the partition ids it was last sent, so that it learns of removals only of its own.
     */
    private static final class Watcher {
        final SseClient client;
        final String user;
        final WebSessions.Session session;
        volatile Set<String> visible;

        Watcher(SseClient client, String user, WebSessions.Session session, Set<String> visible) {
            this.client = client;
            this.user = user;
            this.session = session;
            this.visible = visible;
        }
    }

    /**
     * One reading of the table: each row and its JSON by partition id, in listing order, the count of
     * changes before it was read and when; the snapshot event of the whole table is made once.
     */
    private static final class Table {
        static final Table EMPTY = new Table(Map.of(), -1, 0);
        final Map<String, ObjectNode> rows;
        final Map<String, String> json = new LinkedHashMap<>();
        final long changesBefore;
        final long readAt;
        private String whole;

        Table(Map<String, ObjectNode> rows, long changesBefore, long readAt) {
            this.rows = rows;
            this.changesBefore = changesBefore;
            this.readAt = readAt;
            rows.forEach((id, o) -> json.put(id, o.toString()));
        }

        /** Some rows as a JSON array, from the JSON already made. */
        String array(java.util.Collection<String> ids) {
            StringBuilder b = new StringBuilder(ids.size() * 180 + 2).append('[');
            for (String id : ids) {
                String j = json.get(id);
                if (j != null) {
                    b.append(b.length() > 1 ? "," : "").append(j);
                }
            }
            return b.append(']').toString();
        }

        synchronized String whole() {
            if (whole == null) {
                whole = array(json.keySet());
            }
            return whole;
        }
    }

    PartitionFeed(Hmc hmc, WebSessions sessions) {
        this.hmc = hmc;
        this.sessions = sessions;
        hmc.system().onChange(listener);
    }

    /** Listings read since the start: each is work the feed did for its browsers. */
    long samples() {
        return samples.get();
    }

    /** Tables read for new browsers because the one kept was stale (the sampler's are {@link #samples}). */
    long snapshotListings() {
        return snapshotListings.get();
    }

    int clients() {
        return clients.size();
    }

    /**
     * A new browser: sent the whole table its user may list (the kept one when it is current, else
     * one read now), then the changes. The sampler's next comparison is against the same table, so
     * nothing that changed in between is lost: it is sent as a change.
     */
    void subscribe(SseClient client, String user, WebSessions.Session session) {
        client.keepAlive();
        synchronized (this) {
            Table table = current();
            Set<String> visible = visible(user, table.rows.keySet());
            Watcher w = new Watcher(client, user, session, visible);
            client.onClose(() -> clients.remove(w));
            client.sendEvent("snapshot", visible.size() == table.rows.size() ? table.whole()
                    : table.array(table.rows.keySet().stream().filter(visible::contains).toList()));
            clients.add(w);
            if (sampler == null || !sampler.isAlive()) {
                sampler = Thread.ofVirtual().name("partition-feed").start(this::run);
            }
        }
    }

    /**
     * The kept table if no change came since it was read and the last change had settled before
     * (a transition is told just before its new state can be read), else one read now. That one is
     * kept only while no browser listens: else the sampler is about to compare the kept table with
     * the next and send the difference to the others, and it must not lose it (the new browser gets
     * the rows that changed once more, which only repeats what it has).
     */
    private Table current() {
        Table t = last;
        long seen = changes.get();
        if (t.changesBefore == seen && t.readAt - lastChangeAt >= SETTLE_MS * 1_000_000) {
            return t;
        }
        snapshotListings.incrementAndGet();
        Table now = new Table(table(null), seen, System.nanoTime());
        if (clients.isEmpty()) {
            last = now;
        }
        return now;
    }

    /** On the changer's thread: the kept table is stale; a note for the sampler, if anyone listens. */
    private void changed() {
        lastChangeAt = System.nanoTime();
        changes.incrementAndGet();
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
        long seen = changes.get();
        long at = System.nanoTime();
        Table before = last;
        Table table = new Table(table(null), seen, at);
        Map<String, ObjectNode> rows = table.rows;
        Map<String, String> now = table.json;
        Set<String> changed = new java.util.HashSet<>();
        now.forEach((id, s) -> {
            if (!s.equals(before.json.get(id))) {
                changed.add(id);
            }
        });
        boolean anyRemoved = before.json.keySet().stream().anyMatch(id -> !now.containsKey(id));
        last = table;
        if (changed.isEmpty() && !anyRemoved) {
            return;
        }
        Map<String, Set<String>> visibleTo = new HashMap<>(); // one narrowing per user and sample
        for (Watcher w : clients) {
            Set<String> visible;
            try {
                visible = visibleTo.computeIfAbsent(String.valueOf(w.user), u -> visible(w.user, rows.keySet()));
            } catch (RuntimeException e) { // the user or its role is gone: so is its view of the table
                drop(w);
                continue;
            }
            ArrayNode sent = Json.MAPPER.createArrayNode();
            for (String id : visible) {
                // a row newly in its scope (its role widened) is sent whole, as if it had changed
                if (changed.contains(id) || !w.visible.contains(id)) {
                    sent.add(rows.get(id));
                }
            }
            ArrayNode removed = Json.MAPPER.createArrayNode();
            w.visible.stream().filter(id -> !visible.contains(id)).forEach(removed::add);
            w.visible = visible;
            if (sent.isEmpty() && removed.isEmpty()) {
                continue;
            }
            ObjectNode event = Json.MAPPER.createObjectNode();
            event.set("rows", sent);
            event.set("removed", removed);
            String data = event.toString();
            send(w, () -> w.client.sendEvent("changes", data));
        }
    }

    /**
     * The ids of {@code all} that {@code user} may list: all of them for the owner and for a user
     * whose resource role holds the managed system, else those its own {@code lssyscfg} shows.
     */
    private Set<String> visible(String user, Set<String> all) {
        if (user == null) {
            return Set.copyOf(all);
        }
        try {
            hmc.authorizeWholeSystem(user);
            return Set.copyOf(all);
        } catch (ModelException limited) {
            Set<String> ids = new java.util.HashSet<>();
            for (Row r : rows(hmc.execute(new ListSyscfg(Resource.LPAR, sys(), Filters.NONE, Format.PAIRS), user))) {
                String id = get(r, "lpar_id");
                if (all.contains(id)) {
                    ids.add(id);
                }
            }
            return ids;
        }
    }

    /** A login that ended (logout, idle timeout): its streams end with it. */
    void sessionsEnded() {
        for (Watcher w : clients) {
            if (w.session != null && !sessions.alive(w.session)) {
                drop(w);
            }
        }
    }

    /** A browser whose connection failed is dropped at once: nothing is retried against it. */
    private void send(Watcher w, Runnable write) {
        if (w.client.terminated()) {
            clients.remove(w);
            return;
        }
        try {
            write.run();
        } catch (RuntimeException e) {
            drop(w);
        }
    }

    private void drop(Watcher w) {
        clients.remove(w);
        try {
            w.client.close();
        } catch (RuntimeException ignored) {
            // it is gone either way
        }
    }

    /** The server stops: every stream ends and the sampler with them. */
    synchronized void close() {
        hmc.system().removeChangeListener(listener);
        for (Watcher w : clients) {
            drop(w);
        }
        if (sampler != null) {
            sampler.interrupt();
        }
    }

    /** Also where an idle-expired login's streams end. */
    private void heartbeat() {
        sessionsEnded();
        for (Watcher w : clients) {
            send(w, () -> w.client.sendComment(""));
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
