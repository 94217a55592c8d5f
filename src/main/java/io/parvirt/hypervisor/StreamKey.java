package io.parvirt.hypervisor;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The pre-shared key of one migration stream's TLS session (QEMU's {@code tls-creds-psk}): made
 * fresh by the source for each migration and handed to the target over the daemons' own
 * authenticated channel (the system connection's pinned TLS, or this process), so only the two
 * QEMUs of that migration can read or feed the stream. A key per stream needs no certificate
 * authority that both QEMUs trust: the daemons' certificates are self-signed, and QEMU's x509
 * credentials would want a CA with basic constraints and a host name to check.
 */
public record StreamKey(String hex) {
    /** The PSK identity both ends name (QEMU's {@code username}); the key itself is what is secret. */
    static final String IDENTITY = "parvirt-migration";

    public StreamKey {
        if (!hex.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("a stream key is 32 bytes in lower-case hex");
        }
    }

    /** 256 random bits. */
    public static StreamKey fresh() {
        byte[] b = new byte[32];
        new SecureRandom().nextBytes(b);
        return new StreamKey(HexFormat.of().formatHex(b));
    }

    /** The line of GnuTLS's PSK file ({@code keys.psk}): {@code identity:hexkey}. */
    String pskLine() {
        return IDENTITY + ":" + hex + "\n";
    }

    @Override
    public String toString() {
        return "StreamKey[hidden]"; // never in a log line
    }
}
