package io.parvirt.daemon;

import io.parvirt.durable.AtomicFile;
import io.parvirt.api.TlsIdentity;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The TLS identity of the daemon's TCP listener: the keystore {@code tls.keystore} names (with
 * {@code tls.password}), or a self-signed certificate made in {@code <home>/tls/} on first start
 * (PKCS#12 and its password, both 0600) and kept. It is made with the JDK's own {@code keytool},
 * so no crypto library is added for one certificate.
 */
final class ServerCertificate {
    private ServerCertificate() {
    }

    static TlsIdentity configured(Path keystore, String password) throws Daemon.DaemonException {
        return new TlsIdentity(keystore, password, fingerprint(keystore, password));
    }

    /** The home's self-signed identity, made now if there is none. */
    static TlsIdentity selfSigned(Path dir, String hostname) throws Daemon.DaemonException {
        Path keystore = dir.resolve("server.p12");
        Path passwordFile = dir.resolve("password");
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            if (!Files.exists(keystore) || !Files.exists(passwordFile)) {
                String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
                Files.deleteIfExists(keystore);
                generate(keystore, password, hostname);
                AtomicFile.replace(passwordFile, password); // rw-------
            }
            Files.setPosixFilePermissions(keystore, PosixFilePermissions.fromString("rw-------"));
            String password = Files.readString(passwordFile).strip();
            return new TlsIdentity(keystore, password, fingerprint(keystore, password));
        } catch (IOException e) {
            throw new Daemon.DaemonException(Daemon.DaemonException.Kind.START_FAILED, "cannot make the TLS "
                    + "certificate in " + dir + ": " + e.getMessage());
        }
    }

    private static void generate(Path keystore, String password, String hostname) throws IOException,
            Daemon.DaemonException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> cmd = List.of(keytool.toString(), "-genkeypair", "-alias", "parvirt", "-keyalg", "EC",
                "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA", "-validity", "3650", "-dname",
                "CN=" + hostname + ",O=parvirt", "-ext", "SAN=dns:" + hostname + ",dns:localhost,ip:127.0.0.1",
                "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", password, "-keypass",
                password);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new Daemon.DaemonException(Daemon.DaemonException.Kind.START_FAILED, "keytool could not "
                        + "make the TLS certificate: " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while making the TLS certificate");
        }
    }

    /** {@code AB:CD:...}, the SHA-256 of the certificate, as browsers and {@code openssl x509 -fingerprint} show it. */
    static String fingerprint(Path keystore, String password) throws Daemon.DaemonException {
        try (InputStream in = Files.newInputStream(keystore)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password.toCharArray());
            String alias = ks.aliases().nextElement();
            Certificate c = ks.getCertificate(alias);
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(c.getEncoded()));
        } catch (IOException | GeneralSecurityException | java.util.NoSuchElementException e) {
            throw new Daemon.DaemonException(Daemon.DaemonException.Kind.START_FAILED, "cannot read the TLS "
                    + "keystore " + keystore + ": " + e.getMessage());
        }
    }
}
