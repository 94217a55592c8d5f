package io.parvirt.api;

import io.javalin.Javalin;
import io.parvirt.hmc.Hmc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnector;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import java.util.Optional;

/**
 * Jetty (through Javalin) on a TCP address and on the home's Unix socket. With a {@link TlsIdentity}
 * the TCP listener speaks only TLS (the daemon insists on it for any address that is not loopback).
 */
public final class ApiServer implements AutoCloseable {
    /** How long an idle connection from another daemon or a client is kept (see the TCP connector). */
    static final long IDLE_TIMEOUT_MS = 60_000;

    private final Javalin app;
    private final Routes routes;
    private final Path socket;

    public ApiServer(Hmc hmc, Auth auth, InetSocketAddress listen, Path socket, Runnable stopDaemon) {
        this(hmc, auth, listen, socket, stopDaemon, Optional.empty());
    }

    public ApiServer(Hmc hmc, Auth auth, InetSocketAddress listen, Path socket, Runnable stopDaemon,
            Optional<TlsIdentity> tls) {
        this(hmc, auth, listen, socket, stopDaemon, tls, WebSessions.DEFAULT_IDLE);
    }

    /** @param webIdle how long a web console login may go unused before it ends */
    public ApiServer(Hmc hmc, Auth auth, InetSocketAddress listen, Path socket, Runnable stopDaemon,
            Optional<TlsIdentity> tls, java.time.Duration webIdle) {
        this.socket = socket;
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove stale socket " + socket, e);
        }
        Routes routes = new Routes(hmc, auth, stopDaemon, webIdle);
        this.routes = routes;
        app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            // With connectors of our own, Javalin adds no default one: the TCP connector is ours too.
            config.jetty.addConnector((server, http) -> {
                ServerConnector c = tls.isPresent() ? tlsConnector(server, http, tls.get())
                        : new ServerConnector(server, new HttpConnectionFactory(http));
                c.setHost(listen.getHostString());
                c.setPort(listen.getPort());
                // Longer than the JDK client's 30 s keep-alive (jdk.httpclient.keepalive.timeout), so a
                // connecting daemon always drops an idle connection first: at Jetty's default, also 30 s,
                // a request sent on a pooled connection as this side closed it got no answer at all
                // (HSCL8016 "header parser received no bytes", BackupRestoreTest in CI).
                c.setIdleTimeout(IDLE_TIMEOUT_MS);
                return c;
            });
            config.jetty.addConnector((server, http) -> {
                UnixDomainServerConnector c = new UnixDomainServerConnector(server, new HttpConnectionFactory(http));
                c.setUnixDomainPath(socket);
                return c;
            });
            config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorPages()));
            routes.register(config);
        });
    }

    private static ServerConnector tlsConnector(Server server, HttpConfiguration http, TlsIdentity tls) {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStorePath(tls.keystore().toString());
        ssl.setKeyStorePassword(tls.password());
        ssl.setKeyStoreType("PKCS12");
        ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        HttpConfiguration https = new HttpConfiguration(http);
        // A self-signed certificate names the host it was made on; clients pin it by fingerprint.
        https.addCustomizer(new SecureRequestCustomizer(false));
        return new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(https));
    }

    public ApiServer start() {
        app.start();
        try {
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restrict socket " + socket, e);
        }
        return this;
    }

    /** The TCP port actually bound (useful with port 0). */
    public int tcpPort() {
        for (var c : app.jettyServer().server().getConnectors()) {
            if (c instanceof NetworkConnector n) {
                return n.getLocalPort();
            }
        }
        throw new IllegalStateException("no TCP connector");
    }

    @Override
    public void close() {
        routes.close();
        app.stop();
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            // the socket file is recreated at the next start
        }
    }
}
