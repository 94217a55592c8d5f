package io.parvirt.hmc;

import io.parvirt.hmc.command.UserCommand.AuthorizeKey;
import io.parvirt.model.ModelException;
import io.parvirt.model.Values;
import io.parvirt.system.ManagedSystem;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code mkauthkeys}: the SSH public keys an HMC user logs in with. Any user manages their own;
 * naming another user with {@code -u} takes {@code hmcsuperadmin} (or the home's owner). A key is
 * kept as its OpenSSH line ({@code TYPE BASE64 [COMMENT]}); {@code -r} removes the keys equal to
 * the line given, with the same key material, or whose comment it is ({@code user@host}).
 */
final class AuthorizedKeys {
    private static final Pattern KEY = Pattern.compile(
            "(ssh-rsa|ssh-dss|ssh-ed25519|ecdsa-sha2-nistp(?:256|384|521)|sk-ssh-ed25519@openssh\\.com"
            + "|sk-ecdsa-sha2-nistp256@openssh\\.com)\\s+([A-Za-z0-9+/]+={0,2})(?:\\s+(\\S.*))?");
    private final HmcUsers users;
    private final ManagedSystem sys;

    AuthorizedKeys(HmcUsers users, ManagedSystem sys) {
        this.users = users;
        this.sys = sys;
    }

    HmcResult run(AuthorizeKey k, String caller) {
        boolean owner = caller == null || caller.startsWith("local:");
        String user = k.user() != null ? k.user() : owner ? null : caller;
        if (user == null) {
            throw HmcException.badParameter("-u");
        }
        if (!user.equals(caller) && !owner && !users.find(caller).map(u -> u.role().equals("hmcsuperadmin"))
                .orElse(false)) {
            throw ModelException.of(ModelException.Kind.NOT_AUTHORIZED, "The user " + caller + " does not have the "
                    + "authority to change the SSH keys of another user.");
        }
        if (users.find(user).isEmpty()) {
            throw new ModelException(ModelException.Kind.USER_NOT_FOUND, null, "name", user, "The user "
                    + Values.quote(user).replace("\"", "") + " was not found.", null);
        }
        if (k.add()) {
            users.authorizeKey(user, normalized(k.key()));
        } else {
            for (String line : matching(users.authorizedKeys(user), k.key())) {
                users.revokeKey(user, line);
            }
        }
        sys.logEvent(caller == null ? "parvirt" : caller, "user", "SSH key " + (k.add() ? "added for" : "removed from")
                + " user " + user + ".");
        return HmcResult.OK;
    }

    private static String normalized(String key) {
        Matcher m = KEY.matcher(key.strip());
        if (!m.matches() || key.contains("\n")) {
            throw new ModelException(ModelException.Kind.INVALID_VALUE, "-a", "The SSH public key is not valid: it "
                    + "must be one OpenSSH public key line, such as \"ssh-ed25519 AAAA... user@host\".");
        }
        try {
            Base64.getDecoder().decode(m.group(2));
        } catch (IllegalArgumentException e) {
            throw new ModelException(ModelException.Kind.INVALID_VALUE, "-a", "The SSH public key is not valid: "
                    + "its key data is not base64.");
        }
        return m.group(1) + " " + m.group(2) + (m.group(3) == null ? "" : " " + m.group(3).strip());
    }

    private static List<String> matching(List<String> keys, String which) {
        Matcher m = KEY.matcher(which.strip());
        String material = m.matches() ? m.group(2) : null;
        return keys.stream().filter(line -> {
            String[] p = line.split(" ", 3);
            return line.equals(which) || p[1].equals(material) || (p.length > 2 && p[2].equals(which));
        }).toList();
    }
}
