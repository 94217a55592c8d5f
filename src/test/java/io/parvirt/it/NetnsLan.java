package io.parvirt.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Several "hosts" on this one machine, each a network namespace of its own, joined by a LAN: a
 * Linux bridge in one more namespace that plays the physical switch, and a veth pair per host
 * ({@code 10.77.0.H/24} on host H, 1-based). Made by the test, removed by {@link #close} (also the
 * pairs and the bridge, which go with their namespaces). Nothing is changed in the machine's own
 * namespace, so its iptables and {@code br_netfilter} do not see this traffic. Needs root
 * ({@code ip netns add}); {@link #available} says whether this machine allows it.
 *
 * <p>A program joins host H with {@link #exec}: {@code ip netns exec NS PROGRAM...}. Unix sockets
 * are files, not network endpoints, so a daemon in a namespace is still reached through its home's
 * socket from the test's own namespace.
 */
public final class NetnsLan implements AutoCloseable {
    private final String prefix;
    private final int hosts;
    private final List<String> made = new ArrayList<>();

    private NetnsLan(String prefix, int hosts) {
        this.prefix = prefix;
        this.hosts = hosts;
    }

    /** Whether namespaces can be made here: root, and {@code ip netns add} works. */
    public static boolean available() {
        if (!"root".equals(System.getProperty("user.name"))) {
            return false;
        }
        String probe = "pvprobe" + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
        boolean ok = run("ip", "netns", "add", probe).isEmpty();
        run("ip", "netns", "del", probe);
        return ok;
    }

    /** A LAN of {@code hosts} namespaces, each joined to the bridge and up. */
    public static NetnsLan create(int hosts) {
        String prefix = "pv" + HexFormat.of().toHexDigits((short) ThreadLocalRandom.current().nextInt());
        NetnsLan lan = new NetnsLan(prefix, hosts);
        try {
            lan.ns(lan.switchNs());
            must(lan.in(lan.switchNs(), "ip", "link", "add", "br0", "type", "bridge"));
            must(lan.in(lan.switchNs(), "ip", "link", "set", "br0", "up"));
            for (int h = 1; h <= hosts; h++) {
                String ns = lan.namespace(h);
                lan.ns(ns);
                String a = prefix + "h" + h + "a";
                String b = prefix + "h" + h + "b";
                must(run("ip", "link", "add", a, "type", "veth", "peer", "name", b));
                must(run("ip", "link", "set", a, "netns", ns));
                must(run("ip", "link", "set", b, "netns", lan.switchNs()));
                must(lan.in(lan.switchNs(), "ip", "link", "set", b, "master", "br0", "up"));
                must(lan.in(ns, "ip", "addr", "add", lan.address(h) + "/24", "dev", a));
                must(lan.in(ns, "ip", "link", "set", a, "up"));
                must(lan.in(ns, "ip", "link", "set", "lo", "up"));
            }
            return lan;
        } catch (RuntimeException e) {
            lan.close();
            throw e;
        }
    }

    /** Host {@code h}'s namespace name. */
    public String namespace(int h) {
        if (h < 1 || h > hosts) {
            throw new IllegalArgumentException("no host " + h);
        }
        return prefix + "-h" + h;
    }

    /** Host {@code h}'s address on the LAN. */
    public String address(int h) {
        namespace(h);
        return "10.77.0." + h;
    }

    /** {@code ip netns exec} of host {@code h}, then {@code argv}: to start a program on that host. */
    public List<String> exec(int h, String... argv) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", namespace(h)));
        cmd.addAll(List.of(argv));
        return cmd;
    }

    /**
     * Unplugs host {@code h}'s cable ({@code false}) or plugs it back: its port on the switch goes
     * down, so what is sent to it is lost without an answer, as for a host that is powered off.
     */
    public void cable(int h, boolean plugged) {
        namespace(h);
        must(in(switchNs(), "ip", "link", "set", prefix + "h" + h + "b", plugged ? "up" : "down"));
    }

    /**
     * Makes the switch's port to host {@code h} carry at most {@code rate} (tc's notation, e.g.
     * {@code 8mbit}) toward the host, or at full speed again ({@code null}): a slow link into a
     * destination, so that a migration's stream is seen in flight.
     */
    public void shape(int h, String rate) {
        namespace(h);
        String port = prefix + "h" + h + "b";
        if (rate == null) {
            in(switchNs(), "tc", "qdisc", "del", "dev", port, "root"); // none there already is fine
        } else {
            must(in(switchNs(), "tc", "qdisc", "replace", "dev", port, "root", "tbf", "rate", rate, "burst", "32kbit",
                    "latency", "400ms"));
        }
    }

    private String switchNs() {
        return prefix + "-lan";
    }

    private void ns(String name) {
        must(run("ip", "netns", "add", name));
        made.add(name);
    }

    private String in(String ns, String... argv) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        cmd.addAll(List.of(argv));
        return run(cmd.toArray(String[]::new));
    }

    private static void must(String error) {
        if (!error.isEmpty()) {
            throw new IllegalStateException(error);
        }
    }

    /** Runs a command; empty when it succeeded, else what it said. */
    private static String run(String... argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return String.join(" ", argv) + ": did not finish in 30 s";
            }
            return p.exitValue() == 0 ? "" : String.join(" ", argv) + ": " + out.strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        // the veth pairs and the bridge are removed with the namespaces they are in
        for (int i = made.size() - 1; i >= 0; i--) {
            run("ip", "netns", "del", made.get(i));
        }
        made.clear();
    }
}
