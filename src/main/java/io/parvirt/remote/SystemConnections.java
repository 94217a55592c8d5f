package io.parvirt.remote;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The systems this console is connected to ({@code mksysconn}): each {@link Peer} stored in the
 * home ({@link PeerFile}, 0600), its {@link PeerClient}, and its connection state. One background
 * thread checks every peer ({@code GET /api/v1/system}): a connected one every check interval, one
 * that failed after a backoff that doubles from one second up to the maximum, so a system that
 * comes back is {@code Connected} again by itself and a dead one costs one bounded attempt now and
 * then. Every use of a peer also reports its outcome, so a failure is seen at once.
 */
public final class SystemConnections implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SystemConnections.class);

    /** The HMC's connection states ({@code lssysconn}'s {@code state}). */
    public enum State {
        CONNECTED("Connected"), NO_CONNECTION("No Connection"), FAILED_AUTHENTICATION("Failed Authentication");

        private final String hmcName;

        State(String hmcName) {
            this.hmcName = hmcName;
        }

        public String hmcName() {
            return hmcName;
        }
    }

    /** Timeouts of each call, how often a connected peer is checked, and the longest wait between retries. */
    public record Settings(PeerClient.Timeouts timeouts, Duration checkInterval, Duration maxBackoff) {
        public static final Settings DEFAULT = new Settings(PeerClient.Timeouts.DEFAULT, Duration.ofSeconds(30),
                Duration.ofSeconds(30));
    }

    /** One connection as listed: the peer, its state and why it is not connected (empty when it is). */
    public record Connection(Peer peer, State state, String reason) {
    }

    /** Why {@link #connect} or {@link #remove} changed nothing. */
    public static final class Refusal extends Exception {
        /** Small and stable. */
        public enum Kind { DUPLICATE, NOT_FOUND, UNREACHABLE, NO_TLS }

        private final Kind kind;

        Refusal(Kind kind, String message, Throwable cause) {
            super(message, cause);
            this.kind = kind;
        }

        public Kind kind() {
            return kind;
        }
    }

    private static final class Entry {
        Peer peer;
        PeerClient client;
        State state = State.NO_CONNECTION;
        String reason = "not checked yet";
        Instant nextCheck = Instant.EPOCH;
        Duration backoff = Duration.ZERO;
    }

    private final PeerFile file;
    private final Settings settings;
    private final Consumer<String> events;
    private final Map<SystemAddress, Entry> entries = new LinkedHashMap<>();
    private final Thread checker;
    private volatile boolean closed;

    /** The connections stored in {@code file}, checked from now on; {@code events} hears every state change. */
    public SystemConnections(PeerFile file, Settings settings, Consumer<String> events) {
        this.file = file;
        this.settings = settings;
        this.events = events;
        for (Peer p : file.load()) {
            Entry e = new Entry();
            e.peer = p;
            e.client = new PeerClient(p, settings.timeouts());
            entries.put(p.address(), e);
        }
        checker = Thread.ofPlatform().daemon().name("sysconn-check").start(this::checkLoop);
    }

    /** Every connection, in the order they were made. */
    public synchronized List<Connection> list() {
        List<Connection> out = new ArrayList<>();
        for (Entry e : entries.values()) {
            out.add(new Connection(e.peer, e.state, e.reason));
        }
        return out;
    }

    /**
     * Connects the daemon at {@code address}: pins the certificate it presents now (a loopback peer
     * without TLS is reached over plain HTTP), logs in as {@code user} and reads its system. A peer
     * that refuses the credential is kept in {@code Failed Authentication}, as the HMC keeps it; one
     * that cannot be reached, or that speaks no TLS off loopback, is refused and nothing is stored.
     */
    public Connection connect(SystemAddress address, String user, String password) throws Refusal {
        synchronized (this) {
            if (entries.containsKey(address)) {
                throw new Refusal(Refusal.Kind.DUPLICATE, "A connection to " + address.display() + " already exists.",
                        null);
            }
        }
        String fingerprint;
        try {
            fingerprint = PinnedTrust.probe(address, settings.timeouts().connect()).orElse(null);
        } catch (RemoteException e) {
            throw new Refusal(Refusal.Kind.UNREACHABLE, e.getMessage(), e);
        }
        if (fingerprint == null && !address.loopback()) {
            throw new Refusal(Refusal.Kind.NO_TLS, "The system at " + address + " does not speak TLS: a system "
                    + "that is not on this host is connected over TLS only.", null);
        }
        Entry e = new Entry();
        e.peer = new Peer(address, user, password, fingerprint, "", "");
        e.client = new PeerClient(e.peer, settings.timeouts());
        check(e);
        if (e.state == State.NO_CONNECTION) {
            throw new Refusal(Refusal.Kind.UNREACHABLE, e.reason, null);
        }
        synchronized (this) {
            if (entries.containsKey(address)) {
                throw new Refusal(Refusal.Kind.DUPLICATE, "A connection to " + address.display() + " already exists.",
                        null);
            }
            for (Entry other : entries.values()) {
                if (!e.peer.mtms().isEmpty() && other.peer.mtms().equals(e.peer.mtms())) {
                    throw new Refusal(Refusal.Kind.DUPLICATE, "The system " + e.peer.mtms() + " at "
                            + address.display() + " is already connected at " + other.peer.address().display() + ".",
                            null);
                }
            }
            entries.put(address, e);
            save();
            notifyAll();
            return new Connection(e.peer, e.state, e.reason);
        }
    }

    /** Removes the connection to {@code address} and its stored credential. */
    public synchronized void remove(SystemAddress address) throws Refusal {
        if (entries.remove(address) == null) {
            throw new Refusal(Refusal.Kind.NOT_FOUND, "There is no connection to " + address.display() + ".", null);
        }
        save();
    }

    /** The connection whose system has this name or {@code type_model*serial_num}. */
    public synchronized Optional<Connection> find(String nameOrMtms) {
        for (Entry e : entries.values()) {
            if (!nameOrMtms.isEmpty() && (e.peer.name().equals(nameOrMtms) || e.peer.mtms().equals(nameOrMtms))) {
                return Optional.of(new Connection(e.peer, e.state, e.reason));
            }
        }
        return Optional.empty();
    }

    /** The client of the daemon that owns the system with this name or {@code type_model*serial_num}. */
    public Optional<PeerClient> clientOf(String nameOrMtms) {
        return find(nameOrMtms).flatMap(c -> client(c.peer().address()));
    }

    /** The client of a connected system's daemon (by address, as {@link #find} gave it). */
    public synchronized Optional<PeerClient> client(SystemAddress address) {
        Entry e = entries.get(address);
        return e == null ? Optional.empty() : Optional.of(e.client);
    }

    /** What a use of the peer showed: success ({@code failure} null) or its failure; the state follows at once. */
    public void reported(SystemAddress address, RemoteException failure) {
        Entry e;
        synchronized (this) {
            e = entries.get(address);
        }
        if (e != null) {
            outcome(e, failure, null);
        }
    }

    private void checkLoop() {
        while (!closed) {
            Entry due = null;
            synchronized (this) {
                Instant now = Instant.now();
                Instant next = null;
                for (Entry e : entries.values()) {
                    if (!e.nextCheck.isAfter(now)) {
                        due = e;
                        break;
                    }
                    next = next == null || e.nextCheck.isBefore(next) ? e.nextCheck : next;
                }
                if (due == null) {
                    try {
                        wait(next == null ? 60_000 : Math.max(1, Duration.between(now, next).toMillis()));
                    } catch (InterruptedException ie) {
                        return;
                    }
                    continue;
                }
                due.nextCheck = Instant.now().plus(settings.maxBackoff()); // not picked again while it runs
            }
            try {
                check(due);
            } catch (RuntimeException ex) {
                LOG.warn("checking {} failed", due.peer, ex);
            }
        }
    }

    /** One check of a peer: its system's identity, which also proves the credential. */
    private void check(Entry e) {
        try {
            ObjectNode sys = e.client.system();
            String name = sys.path("name").asText("");
            String mtms = sys.path("type_model").asText("") + "*" + sys.path("serial_num").asText("");
            outcome(e, null, new String[] {name, mtms});
        } catch (RemoteException ex) {
            // the user may log in but not list the system (a role without it): as good as a refused login
            outcome(e, ex.kind() != RemoteException.Kind.REFUSED ? ex : new RemoteException(
                    RemoteException.Kind.AUTHENTICATION, ex.getMessage(), ex.status(), ex.code(), ex), null);
        }
    }

    private void outcome(Entry e, RemoteException failure, String[] identity) {
        State was;
        State now;
        boolean listed;
        synchronized (this) {
            listed = entries.get(e.peer.address()) == e;
            was = e.state;
            if (failure == null) {
                e.state = State.CONNECTED;
                e.reason = "";
                e.backoff = Duration.ZERO;
                e.nextCheck = Instant.now().plus(settings.checkInterval());
                if (identity != null && (!identity[0].equals(e.peer.name()) || !identity[1].equals(e.peer.mtms()))) {
                    e.peer = e.peer.seenAs(identity[0], identity[1]);
                    if (listed) {
                        save();
                    }
                }
            } else if (failure.kind() == RemoteException.Kind.REFUSED) {
                return; // the peer answered: the connection is fine, the request was not
            } else {
                e.state = failure.noConnection() ? State.NO_CONNECTION : State.FAILED_AUTHENTICATION;
                e.reason = failure.getMessage();
                e.backoff = e.backoff.isZero() ? Duration.ofSeconds(1) : e.backoff.multipliedBy(2);
                if (e.backoff.compareTo(settings.maxBackoff()) > 0) {
                    e.backoff = settings.maxBackoff();
                }
                e.nextCheck = Instant.now().plus(e.backoff);
            }
            now = e.state;
            notifyAll();
        }
        if (was != now && listed) {
            events.accept("The connection to " + e.peer.address().display() + (e.peer.name().isEmpty() ? ""
                    : " (" + e.peer.name() + ")") + " is " + now.hmcName() + (failure == null ? "."
                    : ": " + failure.getMessage()));
        }
    }

    private void save() {
        List<Peer> peers = new ArrayList<>();
        for (Entry e : entries.values()) {
            peers.add(e.peer);
        }
        file.save(peers);
    }

    @Override
    public void close() {
        closed = true;
        checker.interrupt();
    }
}
