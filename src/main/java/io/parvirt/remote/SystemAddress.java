package io.parvirt.remote;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where a peer daemon's API listens, as {@code mksysconn --ip HOST[:PORT]} gives it: an IPv4
 * address, a host name, or {@code [IPv6]}; the port defaults to the daemon's own default, 12443.
 */
public record SystemAddress(String host, int port) {
    public static final int DEFAULT_PORT = 12443;
    private static final Pattern HOSTNAME = Pattern.compile(
            "(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    public SystemAddress {
        if (host == null || !(validIpv4(host) || host.contains(":") || (HOSTNAME.matcher(host).matches()
                && !host.matches("[0-9.]+"))) || port < 1 || port > 65535) {
            throw new IllegalArgumentException("not a host and port: " + host + ":" + port);
        }
        host = host.toLowerCase(Locale.ROOT);
    }

    /** {@code HOST[:PORT]}, or empty when it is not one. */
    public static Optional<SystemAddress> parse(String text) {
        if (text == null || text.isBlank() || text.length() > 255) {
            return Optional.empty();
        }
        String host = text;
        String port = null;
        if (text.startsWith("[")) {
            int end = text.indexOf(']');
            if (end < 0) {
                return Optional.empty();
            }
            host = text.substring(1, end);
            String rest = text.substring(end + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    return Optional.empty();
                }
                port = rest.substring(1);
            }
            try {
                java.net.InetAddress.ofLiteral(host);
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        } else if (text.indexOf(':') >= 0) {
            if (text.indexOf(':') != text.lastIndexOf(':')) {
                return Optional.empty();
            }
            host = text.substring(0, text.indexOf(':'));
            port = text.substring(text.indexOf(':') + 1);
        }
        int p = DEFAULT_PORT;
        if (port != null) {
            if (!port.matches("\\d{1,5}")) {
                return Optional.empty();
            }
            p = Integer.parseInt(port);
        }
        try {
            return Optional.of(new SystemAddress(host, p));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static boolean validIpv4(String s) {
        if (!IPV4.matcher(s).matches()) {
            return false;
        }
        for (String part : s.split("\\.")) {
            if (Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    /** Whether the host is a loopback address (the only place a peer may answer without TLS). */
    public boolean loopback() {
        try {
            return java.net.InetAddress.ofLiteral(host).isLoopbackAddress();
        } catch (IllegalArgumentException e) {
            return host.equals("localhost");
        }
    }

    /** {@code host:port}, IPv6 in brackets: what URIs and messages show. */
    public String authority() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** What {@code lssysconn} shows as {@code ipaddr} and {@code rmsysconn --ip} matches: the host, and the port when not the default. */
    public String display() {
        return port == DEFAULT_PORT ? host : authority();
    }

    @Override
    public String toString() {
        return authority();
    }
}
