package io.parvirt.hmc;

import com.fasterxml.jackson.databind.JsonNode;
import io.parvirt.hmc.command.SysconnCommand;
import io.parvirt.model.ModelException;
import io.parvirt.model.Values;
import io.parvirt.remote.PeerClient;
import io.parvirt.remote.RemoteException;
import io.parvirt.remote.SystemAddress;
import io.parvirt.remote.SystemConnections;
import io.parvirt.remote.SystemConnections.Connection;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The other managed systems this console reaches ({@code mksysconn}): the connection commands, and
 * the routing of a command whose {@code -m} names one of them. Such a command line is sent whole to
 * the daemon that owns the system, run there as the connection's user, and its output and exit code
 * relayed verbatim: that daemon applies every rule, so nothing is decided twice. A system that
 * cannot be reached answers {@code HSCL8016} naming it and its address, within the timeouts.
 */
final class ConnectedSystems {
    static final List<String> VERBS = List.of("lssysconn", "mksysconn", "rmsysconn");
    private static final Set<String> ATTRIBUTES = Set.of("resource_type", "type_model_serial_num", "sp",
            "sp_phys_loc", "ipaddr", "alt_ipaddr", "state");

    /** Null when this console has no connections service (a definition-only test's). */
    private final SystemConnections connections;

    ConnectedSystems(SystemConnections connections) {
        this.connections = connections;
    }

    HmcResult run(SysconnCommand c) {
        SystemConnections conns = required();
        return switch (c) {
            case SysconnCommand.MakeConnection m -> {
                try {
                    conns.connect(address(m.ip()), m.user(), m.password());
                } catch (SystemConnections.Refusal e) {
                    throw refusal(e);
                }
                yield HmcResult.OK;
            }
            case SysconnCommand.ListConnections l -> {
                List<Row> rows = new ArrayList<>();
                for (Connection conn : conns.list()) {
                    rows.add(new Row().put("resource_type", "sys").put("type_model_serial_num",
                            conn.peer().mtms().isEmpty() ? "unavailable" : conn.peer().mtms()).put("sp", "primary")
                            .put("sp_phys_loc", "unavailable").put("ipaddr", conn.peer().address().display())
                            .put("alt_ipaddr", "unavailable").put("state", conn.state().hmcName()));
                }
                yield Listing.render(rows, l.format().fields(), l.format().header(), ATTRIBUTES);
            }
            case SysconnCommand.RemoveConnection r -> {
                try {
                    conns.remove(address(r.ip()));
                } catch (SystemConnections.Refusal e) {
                    throw refusal(e);
                }
                yield HmcResult.OK;
            }
        };
    }

    private SystemConnections required() {
        if (connections == null) {
            throw ModelException.of(ModelException.Kind.NOT_SUPPORTED, "This console connects no other systems.");
        }
        return connections;
    }

    /** {@code --ip HOST[:PORT]}; anything else is the HMC's invalid parameter. */
    private static SystemAddress address(String ip) {
        return SystemAddress.parse(ip).orElseThrow(() -> HmcException.badParameter("--ip"));
    }

    private static ModelException refusal(SystemConnections.Refusal e) {
        ModelException.Kind kind = switch (e.kind()) {
            case DUPLICATE -> ModelException.Kind.NAME_IN_USE;
            case NOT_FOUND -> ModelException.Kind.SYSTEM_NOT_FOUND;
            case UNREACHABLE, NO_TLS -> ModelException.Kind.CONNECTION_FAILED;
        };
        return ModelException.of(kind, e.getMessage());
    }

    /** The connection owning the system {@code -m} names in {@code argv}, unless that is {@code local}'s own name or MTMS. */
    Optional<Connection> owner(List<String> argv, Set<String> local) {
        if (connections == null) {
            return Optional.empty();
        }
        String m = option(argv, "-m");
        if (m == null || local.contains(m)) {
            return Optional.empty();
        }
        return connections.find(m);
    }

    /** The value after {@code option}, or null. */
    static String option(List<String> argv, String option) {
        for (Iterator<String> it = argv.iterator(); it.hasNext();) {
            if (it.next().equals(option) && it.hasNext()) {
                return it.next();
            }
        }
        return null;
    }

    /** Runs the command line on the system's own daemon and relays what it printed and its exit code. */
    HmcResult forward(Connection conn, HmcInvocation inv) {
        if (inv.argv().getFirst().equals("mkvterm")) {
            throw ModelException.of(ModelException.Kind.NOT_SUPPORTED, "mkvterm to the managed system "
                    + conn.peer().name() + " (" + conn.peer().address().display() + ") is not relayed by this "
                    + "console: run mkvterm against that system's own daemon.");
        }
        PeerClient client = connections.client(conn.peer().address()).orElseThrow(() -> ModelException.of(
                ModelException.Kind.SYSTEM_NOT_FOUND, "The managed system " + conn.peer().name() + " was removed."));
        try {
            PeerClient.CliReply r = client.cli(inv.argv(), inv.files());
            connections.reported(conn.peer().address(), null);
            return r.exitCode() == 0 ? new HmcResult(r.stdout(), 0, null, null, null)
                    : new HmcResult(r.stdout(), r.exitCode(), null, HsclCode.relayed(r.stdout()), null);
        } catch (RemoteException e) {
            connections.reported(conn.peer().address(), e);
            throw unreachable(conn, e);
        }
    }

    /**
     * {@code rstlpar} for the connected system {@code conn} whose archive this console holds: sent
     * there and restored ({@link BackupCommands#restoreOn}); empty when the archive is not here.
     */
    Optional<HmcResult> restoreOn(Connection conn, io.parvirt.hmc.command.BackupCommand.RestorePartition r,
            BackupCommands backups) {
        PeerClient client = connections.client(conn.peer().address()).orElseThrow(() -> ModelException.of(
                ModelException.Kind.SYSTEM_NOT_FOUND, "The managed system " + conn.peer().name() + " was removed."));
        try {
            Optional<HmcResult> out = backups.restoreOn(client, r);
            connections.reported(conn.peer().address(), null);
            return out;
        } catch (RemoteException e) {
            connections.reported(conn.peer().address(), e);
            throw unreachable(conn, e);
        }
    }

    /**
     * The client of the connected system {@code name} names, for relaying an API request to it; empty
     * when {@code name} is one of {@code local}'s names; HSCL8011 when it is neither.
     */
    Optional<PeerClient> relayTarget(String name, Set<String> local) {
        if (local.contains(name)) {
            return Optional.empty();
        }
        Optional<Connection> conn = connections == null ? Optional.empty() : connections.find(name);
        return conn.flatMap(c -> connections.client(c.peer().address())).or(() -> {
            throw ModelException.of(ModelException.Kind.SYSTEM_NOT_FOUND, "The managed system "
                    + Values.oneLine(name, 64, 64) + " was not found.  Use lssyscfg -r sys -F name to list managed "
                    + "systems.");
        });
    }

    /** A relayed request's outcome, so the connection's state follows it; a failure becomes HSCL8016. */
    ModelException relayFailed(PeerClient client, RemoteException e) {
        connections.reported(client.peer().address(), e);
        return unreachable(new Connection(client.peer(), SystemConnections.State.NO_CONNECTION, ""), e);
    }

    void relayed(PeerClient client) {
        connections.reported(client.peer().address(), null);
    }

    /** HSCL8016: the system, its address and why (the state the connection is in now follows from it). */
    static ModelException unreachable(Connection conn, RemoteException e) {
        if (e.kind() == RemoteException.Kind.REFUSED) {
            return ModelException.of(ModelException.Kind.CONNECTION_FAILED, e.getMessage());
        }
        return new ModelException(ModelException.Kind.CONNECTION_FAILED, null, null, null, "The managed system "
                + Values.oneLine(conn.peer().name(), 64, 64) + " at " + conn.peer().address().display()
                + " is not available: " + e.getMessage(), e);
    }

    /**
     * {@code lssyscfg -r sys} rows of every connected system, in connection order: each as its own
     * daemon lists it; one not connected as the HMC shows such a system, identity and state only.
     */
    List<Row> systemRows() {
        List<Row> rows = new ArrayList<>();
        if (connections == null) {
            return rows;
        }
        for (Connection conn : connections.list()) {
            if (conn.peer().name().isEmpty()) {
                continue; // never reached: nothing is known of it but its address (lssysconn shows it)
            }
            Optional<PeerClient> client = connections.client(conn.peer().address());
            if (conn.state() == SystemConnections.State.CONNECTED && client.isPresent()) {
                try {
                    JsonNode sys = client.get().system();
                    connections.reported(conn.peer().address(), null);
                    Row r = new Row();
                    for (Iterator<Map.Entry<String, JsonNode>> it = sys.fields(); it.hasNext();) {
                        Map.Entry<String, JsonNode> f = it.next();
                        r.put(f.getKey(), f.getValue().asText());
                    }
                    rows.add(r);
                    continue;
                } catch (RemoteException e) {
                    connections.reported(conn.peer().address(), e);
                }
            }
            String[] mtms = conn.peer().mtms().split("\\*", 2);
            rows.add(new Row().put("name", conn.peer().name()).put("type_model", mtms[0])
                    .put("serial_num", mtms.length > 1 ? mtms[1] : "").put("ipaddr", conn.peer().address().host())
                    .put("state", connections.find(conn.peer().name()).map(c -> c.state().hmcName())
                            .orElse(conn.state().hmcName())));
        }
        return rows;
    }
}
