package io.parvirt.ssh;

import io.parvirt.hmc.RemoteConsoleKeys;
import io.parvirt.model.ModelException;
import io.parvirt.model.ModelException.Kind;
import io.parvirt.model.Values;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.keyverifier.AcceptAllServerKeyVerifier;
import org.apache.sshd.client.keyverifier.KnownHostsServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;

/**
 * {@code mkauthkeys --ip}: each console user's own RSA key pair, made on first use in
 * {@code <home>/ssh/users/<user>/id_rsa} (0600, directories 0700) and kept, and SSH logins with it
 * to another console (a real HMC or another parvirt daemon's SSH endpoint) as an HMC client would
 * make them. The remote console's host key is trusted on first use and recorded in
 * {@code <home>/ssh/known_hosts}; a changed one is refused, as OpenSSH refuses it. The remote end
 * is driven with its own {@code mkauthkeys -a|-r}, so any HMC serves.
 */
public final class RemoteHmcKeys implements RemoteConsoleKeys {
    private static final Duration CONNECT = Duration.ofSeconds(15);
    private static final Duration AUTH = Duration.ofSeconds(30);
    private static final Duration EXEC = Duration.ofSeconds(60);
    /** {@code HOST}, {@code HOST:PORT} or {@code [IPV6]:PORT}; a bare IPv6 address has no port. */
    private static final Pattern HOST_PORT = Pattern.compile("\\[([0-9A-Fa-f:.]+)]:(\\d{1,5})|([^:\\[\\]\\s]+):(\\d{1,5})");
    private final Path dir;

    /** {@code sshDir}: the home's {@code ssh} directory (the SSH endpoint keeps its host key there too). */
    public RemoteHmcKeys(Path sshDir) {
        this.dir = sshDir;
    }

    @Override
    public void add(String localUser, String host, String remoteUser, String password) {
        KeyPair keys = keyPair(localUser);
        String line = PublicKeyEntry.toString(keys.getPublic()) + " " + localUser + "@" + consoleName();
        session(host, remoteUser, "password,keyboard-interactive", s -> s.addPasswordIdentity(password), s ->
                runRemote(s, host, "mkauthkeys -a '" + line + "'"));
    }

    @Override
    public void remove(String localUser, String host, String remoteUser, String password) {
        KeyPair keys = keyPair(localUser);
        String material = PublicKeyEntry.toString(keys.getPublic());
        session(host, remoteUser, password == null ? "publickey" : "publickey,password,keyboard-interactive", s -> {
            s.addPublicKeyIdentity(keys);
            if (password != null) {
                s.addPasswordIdentity(password);
            }
        }, s -> runRemote(s, host, "mkauthkeys -r '" + material + "'"));
    }

    @Override
    public void test(String localUser, String host, String remoteUser) {
        KeyPair keys = keyPair(localUser);
        session(host, remoteUser, "publickey", s -> s.addPublicKeyIdentity(keys), s -> {
        });
    }

    /** One SSH session to {@code host} as {@code user}, authenticated by the given methods only. */
    private void session(String host, String user, String methods, Consumer<ClientSession> identities,
            Consumer<ClientSession> work) {
        String[] address = address(host);
        AtomicBoolean changedKey = new AtomicBoolean();
        SshClient client = SshClient.setUpDefaultClient();
        KnownHostsServerKeyVerifier known = new KnownHostsServerKeyVerifier(AcceptAllServerKeyVerifier.INSTANCE,
                knownHosts());
        known.setModifiedServerKeyAcceptor((session, remote, entry, expected, actual) -> {
            changedKey.set(true);
            return false;
        });
        client.setServerKeyVerifier(known);
        client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER); // never the daemon user's ~/.ssh
        CoreModuleProperties.PREFERRED_AUTHS.set(client, methods);
        client.start();
        try {
            ClientSession s;
            try {
                s = client.connect(user, address[0], Integer.parseInt(address[1])).verify(CONNECT).getSession();
            } catch (IOException e) {
                throw unreachable(host, e);
            }
            try (s) {
                identities.accept(s);
                try {
                    s.auth().verify(AUTH);
                } catch (IOException e) {
                    if (changedKey.get()) {
                        throw ModelException.of(Kind.CONNECTION_FAILED, "The remote HMC " + host + " presented a host "
                                + "key other than the one recorded in " + knownHosts() + "; no login was tried.");
                    }
                    if (!s.isOpen()) { // the key exchange failed: not an SSH server that speaks with us
                        throw unreachable(host, e);
                    }
                    if (methods.equals("publickey")) {
                        throw ModelException.of(Kind.REMOTE_KEY_LOGIN, "The SSH communication with the remote HMC "
                                + host + " is not set up for user " + user + ": the key of this console's user is "
                                + "not accepted there. Run mkauthkeys -a --ip " + host + " -u " + user + " first.");
                    }
                    throw ModelException.of(Kind.NOT_AUTHENTICATED, "The user " + user + " could not log in to the "
                            + "remote HMC " + host + " with the password given.");
                }
                work.accept(s);
            } catch (IOException e) {
                throw unreachable(host, e);
            }
        } finally {
            client.stop();
        }
    }

    /** Runs an HMC command on the remote console, which must succeed; its error line is relayed. */
    private static void runRemote(ClientSession s, String host, String command) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ChannelExec ch = s.createExecChannel(command)) {
            ch.setOut(out);
            ch.setErr(out);
            ch.open().verify(EXEC);
            ch.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), EXEC);
            Integer status = ch.getExitStatus();
            if (status == null || status != 0) {
                String said = out.toString(StandardCharsets.UTF_8).strip().lines().findFirst().orElse("no answer");
                throw ModelException.of(Kind.INVALID_STATE, "The remote HMC " + host + " refused mkauthkeys: " + said);
            }
        } catch (IOException e) {
            throw unreachable(host, e);
        }
    }

    private static ModelException unreachable(String host, Exception e) {
        return new ModelException(Kind.CONNECTION_FAILED, null, "--ip", host, "The remote HMC " + host
                + " cannot be reached over SSH (" + (e.getMessage() == null ? e.getClass().getSimpleName()
                : e.getMessage().lines().findFirst().orElse("")) + ").", e);
    }

    /** {@code HOST[:PORT]} as host and port (22, an HMC's, when none is given). */
    static String[] address(String host) {
        Matcher m = HOST_PORT.matcher(host);
        if (m.matches()) {
            String h = m.group(1) != null ? m.group(1) : m.group(3);
            String p = m.group(2) != null ? m.group(2) : m.group(4);
            int port = Integer.parseInt(p);
            if (port < 1 || port > 65535) {
                throw new ModelException(Kind.INVALID_VALUE, null, "--ip", host, "The port of the remote HMC "
                        + Values.quote(host) + " must be 1 to 65535.", null);
            }
            return new String[] {h, p};
        }
        if (host.isBlank() || host.contains("[") || host.contains("]") || host.chars().anyMatch(Character::isWhitespace)) {
            throw new ModelException(Kind.INVALID_VALUE, null, "--ip", host, "The remote HMC " + Values.quote(host)
                    + " is not a host name or address, with an optional :PORT.", null);
        }
        return new String[] {host, "22"};
    }

    /** The user's key pair, made now if it is not there yet. */
    private synchronized KeyPair keyPair(String user) {
        if (user.isEmpty() || user.startsWith(".") || user.contains("/")) {
            throw ModelException.of(Kind.INVALID_VALUE, "The user name " + Values.quote(user) + " cannot name a key.");
        }
        try {
            Path userDir = privateDir(privateDir(privateDir(dir).resolve("users")).resolve(user));
            Path file = userDir.resolve("id_rsa");
            SimpleGeneratorHostKeyProvider provider = new SimpleGeneratorHostKeyProvider(file);
            provider.setAlgorithm("RSA");
            provider.setKeySize(3072);
            Iterator<KeyPair> keys = provider.loadKeys(null).iterator();
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            return keys.next();
        } catch (IOException | RuntimeException e) {
            throw new ModelException(Kind.INTERNAL, null, null, null, "The SSH key of user " + user
                    + " cannot be made or read: " + e.getMessage(), e);
        }
    }

    private Path knownHosts() {
        Path file = privateDir(dir).resolve("known_hosts");
        try {
            if (!Files.exists(file)) {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            }
        } catch (java.nio.file.FileAlreadyExistsException e) {
            // made by a command beside this one
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    private static Path privateDir(Path d) {
        try {
            if (!Files.isDirectory(d)) {
                Files.createDirectories(d, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The comment's host part: where the key came from, for {@code mkauthkeys -r user@host} on the remote side. */
    private static String consoleName() {
        try {
            return InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "");
        } catch (IOException e) {
            return "parvirt";
        }
    }
}
