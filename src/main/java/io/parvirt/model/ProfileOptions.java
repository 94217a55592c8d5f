package io.parvirt.model;

import java.util.List;

/**
 * The remaining profile attributes: boot, power control, error reporting and compatibility, and
 * two of parvirt's own: the partition image to boot ({@code parvirt_image}, null for the default
 * image) and the accelerator ({@code parvirt_accel}: auto, kvm or tcg; null for the system setting).
 */
public record ProfileOptions(boolean allResources, BootMode bootMode, boolean connMonitoring, boolean autoStart,
        List<Integer> powerCtrlLparIds, String workGroupId, boolean redundantErrPathReporting,
        String procCompatMode, String image, String accel) {

    public ProfileOptions {
        powerCtrlLparIds = List.copyOf(powerCtrlLparIds);
    }
}
