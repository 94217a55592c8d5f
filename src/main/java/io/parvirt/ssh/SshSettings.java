package io.parvirt.ssh;

import io.parvirt.home.ParvirtHome;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

/**
 * The SSH endpoint's keys in {@code parvirt.properties}: {@code ssh.listen} ({@code off}, the
 * default, or {@code HOST:PORT}; port 0 picks a free one, written to {@code run/ssh-listen}),
 * {@code ssh.max_sessions_per_user} (default 100), {@code ssh.idle_timeout_seconds} (default
 * 1800), {@code ssh.legacy_algorithms} (default false: true also offers {@code ssh-rsa} SHA-1
 * signatures and {@code diffie-hellman-group14-sha1}, for old Java clients).
 */
public record SshSettings(InetSocketAddress listen, int maxSessionsPerUser, Duration idleTimeout,
        boolean legacyAlgorithms, Path hostKey, Path listenFile) {

    public static SshSettings from(Properties p, ParvirtHome home) {
        String listen = p.getProperty("ssh.listen", "off").strip();
        InetSocketAddress address = null;
        if (!listen.equals("off")) {
            int colon = listen.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("ssh.listen must be off or HOST:PORT, not " + listen);
            }
            address = new InetSocketAddress(listen.substring(0, colon), Integer.parseInt(listen.substring(colon + 1)));
        }
        int max = Integer.parseInt(p.getProperty("ssh.max_sessions_per_user", "100"));
        long idle = Long.parseLong(p.getProperty("ssh.idle_timeout_seconds", "1800"));
        String legacy = p.getProperty("ssh.legacy_algorithms", "false");
        if (max < 1 || idle < 1 || !legacy.equals("true") && !legacy.equals("false")) {
            throw new IllegalArgumentException("ssh.max_sessions_per_user and ssh.idle_timeout_seconds must be at "
                    + "least 1, ssh.legacy_algorithms true or false");
        }
        return new SshSettings(address, max, Duration.ofSeconds(idle), Boolean.parseBoolean(legacy),
                home.root().resolve("ssh").resolve("host_key"), home.run().resolve("ssh-listen"));
    }

    public boolean enabled() {
        return listen != null;
    }
}
