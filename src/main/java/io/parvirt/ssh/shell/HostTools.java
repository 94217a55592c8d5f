package io.parvirt.ssh.shell;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * {@code uname} and {@code ping}: what an HMC user asks of the console's own machine. {@code ping}
 * uses the JVM's reachability check (ICMP echo when the daemon may send it, else a TCP probe to
 * port 7): no program is started.
 */
final class HostTools {
    private static final int MAX_COUNT = 10;

    private HostTools() {
    }

    static int uname(List<String> args, Io io) {
        String flags = args.isEmpty() ? "s" : "";
        for (String a : args) {
            if (!a.matches("-[asnrvmpio]+") && !a.equals("--all")) {
                io.err().write("uname: invalid option -- '" + a.replace("-", "") + "'\n");
                return 1;
            }
            flags += a.equals("--all") || a.contains("a") ? "snrvmo" : a.substring(1);
        }
        StringBuilder b = new StringBuilder();
        for (char f : "snrvmpio".toCharArray()) {
            if (flags.indexOf(f) >= 0) {
                b.append(b.isEmpty() ? "" : " ").append(switch (f) {
                    case 's' -> "Linux";
                    case 'n' -> hostname();
                    case 'r' -> System.getProperty("os.version");
                    case 'v' -> "#1 SMP";
                    case 'm', 'p', 'i' -> arch();
                    default -> "GNU/Linux";
                });
            }
        }
        io.out().write(b + "\n");
        return 0;
    }

    static int ping(List<String> args, Io io) {
        int count = 4;
        String host = null;
        for (int k = 0; k < args.size(); k++) {
            String a = args.get(k);
            if ((a.equals("-c") || a.equals("-w") || a.equals("-W")) && k + 1 < args.size()) {
                String v = args.get(++k);
                if (a.equals("-c")) {
                    try {
                        count = Math.max(1, Math.min(MAX_COUNT, Integer.parseInt(v)));
                    } catch (NumberFormatException e) {
                        io.err().write("ping: invalid argument: '" + v + "'\n");
                        return 1;
                    }
                }
            } else if (a.startsWith("-")) {
                continue; // -q, -n, ... change only the presentation
            } else {
                host = a;
            }
        }
        if (host == null) {
            io.err().write("ping: usage error: Destination address required\n");
            return 1;
        }
        InetAddress addr;
        try {
            addr = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            io.err().write("ping: " + host + ": Name or service not known\n");
            return 2;
        }
        io.out().write("PING " + host + " (" + addr.getHostAddress() + ") 56(84) bytes of data.\n");
        int received = 0;
        long start = System.nanoTime();
        for (int seq = 1; seq <= count; seq++) {
            long t0 = System.nanoTime();
            boolean ok;
            try {
                ok = addr.isReachable(1000);
            } catch (IOException e) {
                ok = false;
            }
            if (ok) {
                received++;
                io.out().write("64 bytes from " + addr.getHostAddress() + ": icmp_seq=" + seq + " ttl=64 time="
                        + String.format("%.3f", (System.nanoTime() - t0) / 1e6) + " ms\n");
            }
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        io.out().write("\n--- " + host + " ping statistics ---\n" + count + " packets transmitted, " + received
                + " received, " + (100 * (count - received) / count) + "% packet loss, time " + ms + "ms\n");
        return received > 0 ? 0 : 1;
    }

    static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    private static String arch() {
        String a = System.getProperty("os.arch");
        return a.equals("amd64") ? "x86_64" : a;
    }
}
