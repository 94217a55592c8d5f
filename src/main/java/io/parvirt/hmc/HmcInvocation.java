package io.parvirt.hmc;

import java.util.List;
import java.util.Map;

/**
 * One HMC command as typed: its words, the contents of any {@code -f} files the client read for
 * it (keyed by the path as typed), and the user it runs as.
 */
public record HmcInvocation(List<String> argv, Map<String, String> files, String user) {
    public HmcInvocation {
        argv = List.copyOf(argv);
        files = Map.copyOf(files);
    }
}
