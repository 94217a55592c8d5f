package io.parvirt.system;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Locale;

/** What the host is: cores, memory, name, a serial number and an address. Read once at start. */
public record HostFacts(int cores, long memoryMb, String hostname, String serial, String ipaddr) {

    public static HostFacts read() {
        return new HostFacts(Runtime.getRuntime().availableProcessors(), memTotalMb(), readHostname(), readSerial(), readIpaddr());
    }

    private static long memTotalMb() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (l.startsWith("MemTotal:")) {
                    return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through to the JVM's view
        }
        return Runtime.getRuntime().maxMemory() / (1024 * 1024);
    }

    private static String readHostname() {
        try {
            String h = Files.readString(Path.of("/etc/hostname")).strip();
            if (!h.isEmpty()) {
                return h;
            }
        } catch (IOException e) {
            // try the resolver
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** Seven upper-case hex digits from the machine id, as stable as the host's identity. */
    private static String readSerial() {
        try {
            String id = Files.readString(Path.of("/etc/machine-id")).strip();
            if (id.length() >= 7) {
                return id.substring(0, 7).toUpperCase(Locale.ROOT);
            }
        } catch (IOException e) {
            // derive from the host name instead
        }
        return String.format("%07X", readHostname().hashCode() & 0xfffffff);
    }

    private static String readIpaddr() {
        try {
            for (NetworkInterface n : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (n.isUp() && !n.isLoopback()) {
                    for (InetAddress a : Collections.list(n.getInetAddresses())) {
                        if (a instanceof Inet4Address) {
                            return a.getHostAddress();
                        }
                    }
                }
            }
        } catch (SocketException e) {
            // loopback below
        }
        return "127.0.0.1";
    }
}
