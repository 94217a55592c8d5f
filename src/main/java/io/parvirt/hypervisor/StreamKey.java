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
    public static final String IDENTITY = "parvirt-migration";

    /**
     * The GnuTLS priority of the stream's TLS session (QEMU adds the PSK key exchanges to it):
     * AES-128-GCM first. Left to QEMU's default, GnuTLS chose ChaCha20-Poly1305, which nettle
     * computes without SIMD: 115 MB took 3-4x the plain stream where AES-GCM, with the host's AES-NI
     * and PCLMUL, costs a fraction of it (bench/RESULTS.md). ChaCha20 stays as the fallback for a
     * peer without AES-GCM; AES-256-GCM is left out, as TLS 1.3 ties it to SHA-384 while GnuTLS's
     * PSK binder is SHA-256 (a handshake offering only it fails: "No supported cipher suites").
     */
    public static final String TLS_PRIORITY = "NORMAL:-CIPHER-ALL:+AES-128-GCM:+CHACHA20-POLY1305";

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
    public String pskLine() {
        return IDENTITY + ":" + hex + "\n";
    }

    @Override
    public String toString() {
        return "StreamKey[hidden]"; // never in a log line
    }
}
