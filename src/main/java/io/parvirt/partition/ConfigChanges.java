package io.parvirt.partition;

import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Who hears of each DLPAR (lslparutil's config_change events); a failure there never fails the DLPAR. */
final class ConfigChanges {
    private static final Logger LOG = LoggerFactory.getLogger(ConfigChanges.class);
    volatile IntConsumer listener = id -> { };

    void changed(int lparId) {
        try {
            listener.accept(lparId);
        } catch (RuntimeException e) {
            LOG.warn("the config_change event of partition {} was not recorded: {}", lparId, e.getMessage());
        }
    }
}
