package io.parvirt.api;

import io.parvirt.hmc.HmcUsers;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;

/**
 * Who a request is: the local CLI presents the home's token (a file only the home's owner can
 * read); any other client an HMC user and password (HTTP Basic).
 */
public final class Auth {
    private final byte[] token;
    private final String localUser;
    private final HmcUsers users;

    public Auth(String token, String localUser, HmcUsers users) {
        this.token = token.getBytes(StandardCharsets.US_ASCII);
        this.localUser = localUser;
        this.users = users;
    }

    /** The user name, or empty when the credentials are missing or wrong (a local caller). */
    public Optional<String> user(String authorization) {
        return user(authorization, "local");
    }

    /** The user name, or empty when the credentials are missing or wrong; {@code address} is the client's. */
    public Optional<String> user(String authorization, String address) {
        if (authorization == null) {
            return Optional.empty();
        }
        if (authorization.startsWith("Bearer ")) {
            byte[] given = authorization.substring(7).strip().getBytes(StandardCharsets.US_ASCII);
            return MessageDigest.isEqual(given, token) ? Optional.of(localUser) : Optional.empty();
        }
        if (authorization.startsWith("Basic ")) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(authorization.substring(6).strip()),
                        StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
            int colon = decoded.indexOf(':');
            if (colon <= 0) {
                return Optional.empty();
            }
            String name = decoded.substring(0, colon);
            return users.authenticate(name, decoded.substring(colon + 1), address).map(role -> name);
        }
        return Optional.empty();
    }

    /** An HMC user's role if the password is right (a browser's login); failures count as any login's do. */
    public Optional<String> role(String name, String password, String address) {
        return users.authenticate(name, password, address);
    }
}
