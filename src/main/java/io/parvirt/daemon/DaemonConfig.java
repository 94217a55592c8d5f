package io.parvirt.daemon;

import io.parvirt.home.ParvirtHome;
import io.parvirt.memory.HypervisorMemory;
import io.parvirt.model.HptRatio;
import io.parvirt.model.Names;
import io.parvirt.model.ProcUnits;
import io.parvirt.model.SystemSettings;
import io.parvirt.system.HostFacts;
import java.net.InetSocketAddress;
import java.util.Properties;

/**
 * {@code parvirt.properties} of a home. Keys: {@code listen} (default 127.0.0.1:12443),
 * {@code system.name}, {@code mem_region_size} (MB, default 256), {@code host.reserved_proc_units}
 * (default 0), {@code host.reserved_mem_mb} (default max(1024, memory/16)), {@code firmware.base_mb},
 * {@code hpt_ratio} (default 1:64). System settings seed a new store; after that the store wins.
 */
record DaemonConfig(Properties props, InetSocketAddress listen) {
    static final String DEFAULT_LISTEN = "127.0.0.1:12443";

    static DaemonConfig load(ParvirtHome home, String listenOverride) {
        Properties p = home.loadConfig();
        String listen = listenOverride != null ? listenOverride : p.getProperty("listen", DEFAULT_LISTEN);
        return new DaemonConfig(p, Daemon.parseListen(listen));
    }

    SystemSettings seed(HostFacts host) {
        long lmb = Long.parseLong(props.getProperty("mem_region_size", "256"));
        String name = props.getProperty("system.name", sanitize(host.hostname()));
        long reservedMem = Long.parseLong(props.getProperty("host.reserved_mem_mb",
                Long.toString(Math.max(1024, host.memoryMb() / 16))));
        long base = Long.parseLong(props.getProperty("firmware.base_mb",
                Long.toString(HypervisorMemory.defaultBaseMb(host.memoryMb(), lmb))));
        return new SystemSettings(name, lmb, ProcUnits.parse("host.reserved_proc_units",
                props.getProperty("host.reserved_proc_units", "0")), reservedMem, base,
                HptRatio.parse("hpt_ratio", props.getProperty("hpt_ratio", "1:64")), "");
    }

    /** A host name made into a valid system name. */
    static String sanitize(String hostname) {
        String s = hostname.replaceAll("[^A-Za-z0-9_.\\-]", "-").replaceAll("^[^A-Za-z0-9]+", "");
        if (s.length() > 63) {
            s = s.substring(0, 63);
        }
        return Names.isValidPoolName(s) ? s : "parvirt-host";
    }
}
