package io.parvirt.ssh;

import io.parvirt.durable.AtomicFile;
import io.parvirt.hmc.Hmc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.kex.BuiltinDHFactories;
import org.apache.sshd.common.kex.KeyExchangeFactory;
import org.apache.sshd.common.signature.BuiltinSignatures;
import org.apache.sshd.common.signature.Signature;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.ServerBuilder;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.auth.keyboard.DefaultKeyboardInteractiveAuthenticator;
import org.apache.sshd.server.forward.RejectAllForwardingFilter;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HMC's SSH endpoint, inside the daemon (Apache MINA SSHD; the host's own sshd is neither
 * used nor touched). Session channels only: an exec request or a shell runs the restricted shell
 * ({@link ShellChannel}); subsystems (SFTP), port, agent and X11 forwarding and env requests are
 * refused. Each user may hold {@link SshSettings#maxSessionsPerUser} sessions; an idle session is
 * closed after {@link SshSettings#idleTimeout}.
 */
public final class SshEndpoint implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SshEndpoint.class);
    /** SHA-1 based algorithms offered only with {@code ssh.legacy_algorithms=true}. */
    static final Set<String> LEGACY = Set.of("ssh-rsa", "ssh-dss", "diffie-hellman-group14-sha1",
            "diffie-hellman-group1-sha1", "diffie-hellman-group-exchange-sha1");
    private final SshServer server;

    private SshEndpoint(SshServer server) {
        this.server = server;
    }

    /** Starts listening; the bound address is also written to {@link SshSettings#listenFile()}. */
    public static SshEndpoint start(Hmc hmc, SshSettings settings) throws IOException {
        SshServer server = SshServer.setUpDefaultServer();
        server.setHost(settings.listen().getHostString());
        server.setPort(settings.listen().getPort());
        server.setKeyPairProvider(hostKey(settings.hostKey()));
        HmcLogin login = new HmcLogin(hmc.users());
        server.setPasswordAuthenticator(login);
        server.setKeyboardInteractiveAuthenticator(DefaultKeyboardInteractiveAuthenticator.INSTANCE);
        server.setPublickeyAuthenticator(login);
        server.setCommandFactory((channel, command) -> new ShellChannel(hmc, command));
        server.setShellFactory(channel -> new ShellChannel(hmc, null));
        server.setSubsystemFactories(List.of());
        server.setForwardingFilter(RejectAllForwardingFilter.INSTANCE);
        server.setChannelFactories(List.of(RefusingChannelSession.FACTORY));
        algorithms(server, settings.legacyAlgorithms());
        CoreModuleProperties.MAX_CONCURRENT_SESSIONS.set(server, settings.maxSessionsPerUser());
        CoreModuleProperties.IDLE_TIMEOUT.set(server, settings.idleTimeout());
        CoreModuleProperties.SERVER_IDENTIFICATION.set(server, "parvirt");
        // Small answers must leave at once: with Nagle's algorithm each reply waits for a delayed ACK.
        CoreModuleProperties.TCP_NODELAY.set(server, true);
        server.start();
        InetSocketAddress bound = (InetSocketAddress) server.getBoundAddresses().iterator().next();
        writeListen(settings.listenFile(), settings.listen().getHostString() + ":" + bound.getPort());
        LOG.info("HMC over SSH on {}:{} (host key {})", settings.listen().getHostString(), bound.getPort(),
                settings.hostKey());
        return new SshEndpoint(server);
    }

    public int port() {
        return server.getPort() != 0 ? server.getPort()
                : ((InetSocketAddress) server.getBoundAddresses().iterator().next()).getPort();
    }

    /**
     * The host key is made once, in {@code <home>/ssh/} (0700) as {@code host_key} (0600), and kept,
     * so clients that pinned it keep trusting the console. RSA, so that old Java clients that know
     * only {@code ssh-rsa} host keys can connect too (with the legacy setting).
     */
    private static SimpleGeneratorHostKeyProvider hostKey(Path file) throws IOException {
        Path dir = file.getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        SimpleGeneratorHostKeyProvider keys = new SimpleGeneratorHostKeyProvider(file);
        keys.setAlgorithm("RSA");
        keys.setKeySize(3072);
        keys.loadKeys(null); // generates and writes the key now, not at the first connection
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return keys;
    }

    private static void algorithms(SshServer server, boolean legacy) {
        List<KeyExchangeFactory> kex = new ArrayList<>(server.getKeyExchangeFactories().stream()
                .filter(k -> legacy || !LEGACY.contains(k.getName())).toList());
        List<NamedFactory<Signature>> sigs = new ArrayList<>(server.getSignatureFactories().stream()
                .filter(s -> legacy || !LEGACY.contains(s.getName())).toList());
        if (legacy) {
            if (kex.stream().noneMatch(k -> k.getName().equals(BuiltinDHFactories.dhg14.getName()))) {
                kex.add(ServerBuilder.DH2KEX.apply(BuiltinDHFactories.dhg14));
            }
            if (sigs.stream().noneMatch(s -> s.getName().equals(BuiltinSignatures.rsa.getName()))) {
                sigs.add(BuiltinSignatures.rsa);
            }
        }
        server.setKeyExchangeFactories(kex);
        server.setSignatureFactories(sigs);
    }

    private static void writeListen(Path file, String text) {
        try {
            AtomicFile.replace(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    @Override
    public void close() {
        try {
            server.stop(true);
        } catch (IOException e) {
            LOG.warn("SSH endpoint stop: {}", e.getMessage());
        }
    }
}
