package io.parvirt.model;

import java.util.List;

/** The remaining profile attributes: boot, power control, error reporting and compatibility. */
public record ProfileOptions(boolean allResources, BootMode bootMode, boolean connMonitoring, boolean autoStart,
        List<Integer> powerCtrlLparIds, String workGroupId, boolean redundantErrPathReporting,
        String procCompatMode) {

    public ProfileOptions {
        powerCtrlLparIds = List.copyOf(powerCtrlLparIds);
    }
}
