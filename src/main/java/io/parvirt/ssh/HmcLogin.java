package io.parvirt.ssh;

import io.parvirt.hmc.HmcUsers;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.PublicKey;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.server.auth.password.PasswordAuthenticator;
import org.apache.sshd.server.auth.pubkey.PublickeyAuthenticator;
import org.apache.sshd.server.session.ServerSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logging in as an HMC user. Passwords go through {@link HmcUsers#authenticate}, which throttles
 * failures per user and per client address and records each in the console events; the
 * {@code keyboard-interactive} method asks for the same password with the prompt
 * {@code Password: } ({@code sshpass} answers a prompt containing "assword"). Public keys are
 * those {@code mkauthkeys} stored for the user.
 */
final class HmcLogin implements PasswordAuthenticator, PublickeyAuthenticator {
    private static final Logger LOG = LoggerFactory.getLogger(HmcLogin.class);
    private final HmcUsers users;

    HmcLogin(HmcUsers users) {
        this.users = users;
    }

    static String address(ServerSession session) {
        SocketAddress a = session.getClientAddress();
        return a instanceof InetSocketAddress i ? i.getAddress().getHostAddress() : String.valueOf(a);
    }

    @Override
    public boolean authenticate(String username, String password, ServerSession session) {
        boolean ok = users.authenticate(username, password, address(session)).isPresent();
        if (ok) {
            LOG.info("SSH login of {} from {} (password)", username, address(session));
        }
        return ok;
    }

    @Override
    public boolean authenticate(String username, PublicKey key, ServerSession session) {
        for (String line : users.authorizedKeys(username)) {
            try {
                PublicKey allowed = AuthorizedKeyEntry.parseAuthorizedKeyEntry(line)
                        .resolvePublicKey(session, PublicKeyEntryResolver.IGNORING);
                if (allowed != null && KeyUtils.compareKeys(allowed, key)) {
                    LOG.info("SSH login of {} from {} (key {})", username, address(session), KeyUtils.getFingerPrint(key));
                    return true;
                }
            } catch (Exception e) {
                LOG.warn("stored SSH key of {} cannot be read: {}", username, e.getMessage());
            }
        }
        return false;
    }
}
