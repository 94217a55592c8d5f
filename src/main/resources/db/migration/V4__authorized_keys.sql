-- SSH public keys an HMC user may log in with (mkauthkeys, issue 15): one OpenSSH public key line
-- ("ssh-ed25519 AAAA... comment") per row. Removing the user removes its keys (SqliteStore).
CREATE TABLE hmc_authorized_key (
    user_name TEXT NOT NULL,
    key_line  TEXT NOT NULL,
    PRIMARY KEY (user_name, key_line)
);
