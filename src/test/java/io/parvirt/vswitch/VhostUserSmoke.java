package io.parvirt.vswitch;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/** Diagnosis by hand: one vhost-user port listening on args[0] until killed; prints its status every 5 s. */
public final class VhostUserSmoke {
    private VhostUserSmoke() {
    }

    public static void main(String[] args) throws Exception {
        try (VirtualEthernet net = new VirtualEthernet(SwitchSettings.DEFAULTS, 65536)) {
            net.connect(1, "smoke", List.of(new VirtualEthernet.Adapter(2, "ETHERNET0",
                    new PortConfig("smoke/2", 0x0E5056001002L, 1, false, Set.of(), 0), Path.of(args[0]), null,
                    Transport.VHOST_USER)));
            while (true) {
                Thread.sleep(5000);
                System.out.println(net.ports());
            }
        }
    }
}
