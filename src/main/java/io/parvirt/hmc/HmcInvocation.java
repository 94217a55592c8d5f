package io.parvirt.hmc;

import java.util.List;
import java.util.Map;

/**
 * One HMC command as typed: its words, the contents of any {@code -f} files the client read for
 * it (keyed by the path as typed), the user it runs as and the client's address (for the audit
 * trail; {@code local} for the home's own socket).
 */
public record HmcInvocation(List<String> argv, Map<String, String> files, String user, String address) {
    public HmcInvocation {
        argv = List.copyOf(argv);
        files = Map.copyOf(files);
        address = address == null || address.isBlank() ? "local" : address;
    }

    public HmcInvocation(List<String> argv, Map<String, String> files, String user) {
        this(argv, files, user, "local");
    }
}
