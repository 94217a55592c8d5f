package io.parvirt.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parvirt.model.UtilizationSample;
import io.parvirt.model.UtilizationSample.ResourceType;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Utilization samples in the real SQLite store: order, retention, limits and durability. */
@Tag("unit")
class UtilizationStoreTest {
    static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    static final Set<ResourceType> ALL = EnumSet.allOf(ResourceType.class);

    @TempDir
    Path dir;
    SqliteStore store;

    @BeforeEach
    void open() {
        store = new SqliteStore(dir.resolve("parvirt.db"));
    }

    @AfterEach
    void close() {
        store.close();
    }

    static UtilizationSample lpar(Instant t, int id, long cycles) {
        Map<String, String> a = new LinkedHashMap<>();
        a.put("time_cycles", Long.toString(cycles));
        a.put("lpar_name", "lp" + id);
        a.put("lpar_id", Integer.toString(id));
        a.put("entitled_cycles", Long.toString(cycles / 2));
        return new UtilizationSample(t, ResourceType.LPAR, id, UtilizationSample.SAMPLE, a);
    }

    static UtilizationSample sys(Instant t) {
        return new UtilizationSample(t, ResourceType.SYS, 0, UtilizationSample.SAMPLE, Map.of("state", "Operating"));
    }

    static UtilizationQuery all(Instant since) {
        return new UtilizationQuery(ALL, since, null, Set.of(), 0);
    }

    static Instant ago(long minutes) {
        return NOW.minus(Duration.ofMinutes(minutes));
    }

    @Test
    void attributesComeBackInTheOrderTheyWereRecorded() {
        Map<String, String> a = new LinkedHashMap<>();
        // Neither alphabetical nor hash order: only a kept insertion order reproduces it.
        for (String k : List.of("zeta", "time_cycles", "alpha", "lpar_name", "mid", "donated_cycles", "b")) {
            a.put(k, k.toUpperCase());
        }
        UtilizationSample s = new UtilizationSample(ago(1), ResourceType.LPAR, 7, "sample", a);
        store.recordUtilization(List.of(s), null);

        List<UtilizationSample> back = store.utilization(all(ago(60)));

        assertThat(back).hasSize(1);
        assertThat(new ArrayList<>(back.getFirst().attributes().keySet()))
                .containsExactly("zeta", "time_cycles", "alpha", "lpar_name", "mid", "donated_cycles", "b");
        assertThat(back.getFirst()).isEqualTo(s);
    }

    @Test
    void newestFirstAndWithinOneInstantSysPoolProcpoolLparThenById() {
        Instant t = ago(5);
        store.recordUtilization(List.of(lpar(ago(10), 1, 100), lpar(t, 2, 300), lpar(t, 1, 200),
                new UtilizationSample(t, ResourceType.PROCPOOL, 0, "sample", Map.of()),
                new UtilizationSample(t, ResourceType.POOL, 0, "sample", Map.of()), sys(t), lpar(ago(1), 1, 400)),
                null);

        List<UtilizationSample> back = store.utilization(all(ago(60)));

        assertThat(back).extracting(UtilizationSample::time).containsExactly(ago(1), t, t, t, t, t, ago(10));
        assertThat(back.subList(1, 6)).extracting(UtilizationSample::resourceType).containsExactly(
                ResourceType.SYS, ResourceType.POOL, ResourceType.PROCPOOL, ResourceType.LPAR, ResourceType.LPAR);
        assertThat(back.subList(4, 6)).extracting(UtilizationSample::resourceId).containsExactly(1, 2);
    }

    @Test
    void retentionDropsOldSamplesIncludingOldOnesOfTheBatch() {
        store.recordUtilization(List.of(lpar(ago(3 * 24 * 60), 1, 1), lpar(ago(120), 1, 2)), null);

        store.recordUtilization(List.of(lpar(ago(2 * 24 * 60), 2, 3), lpar(ago(1), 1, 4)), ago(24 * 60));

        assertThat(store.utilization(all(Instant.EPOCH))).extracting(s -> s.attributes().get("time_cycles"))
                .containsExactly("4", "2");
    }

    @Test
    void aRejectedSampleUndoesTheWholeRoundRetentionIncluded() {
        store.recordUtilization(List.of(lpar(ago(3 * 24 * 60), 1, 1)), null);
        UtilizationSample bad = new UtilizationSample(ago(1), ResourceType.LPAR, 2, "no_such_event", Map.of());

        assertThatThrownBy(() -> store.recordUtilization(List.of(lpar(ago(1), 1, 2), bad), ago(24 * 60)))
                .isInstanceOf(StoreException.class);

        // The old sample was deleted and the good one inserted before the bad one failed: both undone.
        assertThat(store.utilization(all(Instant.EPOCH))).extracting(s -> s.attributes().get("time_cycles"))
                .containsExactly("1");
        store.recordUtilization(List.of(lpar(ago(1), 1, 3)), ago(24 * 60));
        assertThat(store.utilization(all(Instant.EPOCH))).extracting(s -> s.attributes().get("time_cycles"))
                .containsExactly("3");
    }

    @Test
    void limitIsPerResourceTypeNewestFirst() {
        List<UtilizationSample> batch = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            batch.add(lpar(ago(i), 1 + i % 2, i));
            batch.add(sys(ago(i)));
        }
        store.recordUtilization(batch, null);

        List<UtilizationSample> back = store.utilization(new UtilizationQuery(ALL, ago(60), null, Set.of(), 2));

        assertThat(back).hasSize(4);
        assertThat(back).filteredOn(s -> s.resourceType() == ResourceType.LPAR)
                .extracting(UtilizationSample::time).containsExactly(ago(1), ago(2));
        assertThat(back).filteredOn(s -> s.resourceType() == ResourceType.SYS)
                .extracting(UtilizationSample::time).containsExactly(ago(1), ago(2));
        assertThat(store.utilization(new UtilizationQuery(Set.of(ResourceType.SYS), ago(60), null, Set.of(), 0)))
                .hasSize(5).allMatch(s -> s.resourceType() == ResourceType.SYS);
    }

    @Test
    void windowIsSinceInclusiveUntilExclusiveAndEventTypesFilter() {
        store.recordUtilization(List.of(lpar(ago(30), 1, 1), lpar(ago(20), 1, 2), lpar(ago(10), 1, 3),
                new UtilizationSample(ago(15), ResourceType.LPAR, 1, "state_change", Map.of("time_cycles", "x"))),
                null);

        assertThat(store.utilization(new UtilizationQuery(ALL, ago(30), ago(10), Set.of(), 0)))
                .extracting(s -> s.attributes().get("time_cycles")).containsExactly("x", "2", "1");
        assertThat(store.utilization(new UtilizationQuery(ALL, ago(30), ago(10), Set.of("sample"), 0)))
                .extracting(s -> s.attributes().get("time_cycles")).containsExactly("2", "1");
        assertThat(store.utilization(new UtilizationQuery(ALL, ago(30), null, Set.of("state_change",
                "config_change"), 0))).extracting(UtilizationSample::eventType).containsExactly("state_change");
    }

    @Test
    void aReopenedStoreStillHasTheSamples() {
        store.recordUtilization(List.of(lpar(ago(2), 1, 10), sys(ago(2))), null);
        store.close();

        store = new SqliteStore(dir.resolve("parvirt.db"));

        assertThat(store.utilization(all(ago(60)))).containsExactly(sys(ago(2)), lpar(ago(2), 1, 10));
    }
}
