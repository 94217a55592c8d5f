package io.parvirt.remote;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts exactly one server certificate, named by its SHA-256 fingerprint ({@code AB:CD:...}, as the
 * daemon logs it and {@code openssl x509 -fingerprint -sha256} prints it). A daemon's certificate
 * is self-signed and names the host it was made on, so neither a CA nor the host name can vouch for
 * it; the fingerprint taken when {@code mksysconn} connected does (trust on first use, as SSH's
 * known_hosts). Being an {@link X509ExtendedTrustManager}, it is not wrapped by JSSE's host name
 * check: the pin is the whole check.
 */
public final class PinnedTrust extends X509ExtendedTrustManager {
    /** The pinned fingerprint; null for a manager that only looks ({@link #probe}) and trusts nothing. */
    private final String fingerprint;
    /** The fingerprint of the last certificate shown. */
    private volatile String seen;

    public PinnedTrust(String fingerprint) {
        this.fingerprint = java.util.Objects.requireNonNull(fingerprint, "fingerprint");
    }

    private PinnedTrust() {
        this.fingerprint = null;
    }

    /** An SSL context whose only trust is {@code fingerprint}. */
    public static SSLContext context(String fingerprint) {
        return contextOf(new PinnedTrust(fingerprint));
    }

    static SSLContext contextOf(TrustManager tm) {
        try {
            SSLContext c = SSLContext.getInstance("TLS");
            c.init(null, new TrustManager[] {tm}, null);
            return c;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK offers no TLS context", e);
        }
    }

    /** {@code AB:CD:...}: SHA-256 of the certificate's encoding. */
    public static String fingerprintOf(X509Certificate cert) {
        try {
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(cert.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot digest a certificate", e);
        }
    }

    /**
     * The fingerprint of the certificate {@code address} presents, read in one TLS handshake that
     * trusts nothing (it only looks); empty when the peer does not speak TLS there. Bounded by
     * {@code timeout} for the connection and again for the handshake.
     */
    public static Optional<String> probe(SystemAddress address, Duration timeout) throws RemoteException {
        PinnedTrust looking = new PinnedTrust();
        SSLContext look = contextOf(looking);
        try (Socket raw = new Socket()) {
            raw.connect(new InetSocketAddress(address.host(), address.port()), (int) timeout.toMillis());
            raw.setSoTimeout((int) timeout.toMillis());
            try (SSLSocket s = (SSLSocket) look.getSocketFactory().createSocket(raw, address.host(), address.port(),
                    false)) {
                s.startHandshake();
            } catch (SSLException e) {
                // refused by the looking manager once it saw the certificate; none seen: the peer answered a
                // ClientHello with something that is not TLS
                return Optional.ofNullable(looking.seen);
            }
        } catch (java.net.SocketTimeoutException e) {
            throw new RemoteException(RemoteException.Kind.TIMEOUT, "The system at " + address
                    + " did not answer within " + timeout.toSeconds() + " seconds.", e);
        } catch (IOException e) {
            throw new RemoteException(RemoteException.Kind.UNREACHABLE, "The system at " + address
                    + " cannot be reached (" + e.getMessage() + ").", e);
        }
        return Optional.ofNullable(looking.seen);
    }

    void check(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("the server presented no certificate");
        }
        String got = fingerprintOf(chain[0]);
        seen = got;
        if (fingerprint == null) {
            throw new CertificateException("this trust manager only looks at the certificate");
        }
        if (!got.equals(fingerprint)) {
            throw new CertificateMismatch(got, fingerprint);
        }
    }

    /** The peer presented another certificate than the pinned one. */
    public static final class CertificateMismatch extends CertificateException {
        public CertificateMismatch(String got, String pinned) {
            super("the server's certificate " + got + " is not the pinned " + pinned);
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("a client trust manager only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        throw new CertificateException("a client trust manager only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        throw new CertificateException("a client trust manager only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
