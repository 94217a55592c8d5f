package io.parvirt.partition;

import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who hears of each DLPAR: the partition's profile first ({@code sync_curr_profile=1}), then
 * lslparutil's config_change events. A failure there never fails the DLPAR.
 */
final class ConfigChanges {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigChanges.class);
    private final IntConsumer profileSync;
    volatile IntConsumer listener = id -> { };

    ConfigChanges(IntConsumer profileSync) {
        this.profileSync = profileSync;
    }

    void changed(int lparId) {
        try {
            profileSync.accept(lparId);
        } catch (RuntimeException e) {
            LOG.warn("the profile of partition {} was not synchronised: {}", lparId, e.getMessage());
        }
        try {
            listener.accept(lparId);
        } catch (RuntimeException e) {
            LOG.warn("the config_change event of partition {} was not recorded: {}", lparId, e.getMessage());
        }
    }
}
