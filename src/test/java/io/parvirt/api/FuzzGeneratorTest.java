package io.parvirt.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.api.FuzzGenerator.Req;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The API fuzzer's generator on its own, without a daemon: a seed is a reproducible run. */
@Tag("unit")
class FuzzGeneratorTest {
    @Test
    void generatorIsDeterministicForASeed() {
        FuzzGenerator a = new FuzzGenerator(new Random(7), new TreeSet<>());
        FuzzGenerator b = new FuzzGenerator(new Random(7), new TreeSet<>());
        for (int i = 0; i < 200; i++) {
            Req x = a.next();
            Req y = b.next();
            assertThat(x.show()).isEqualTo(y.show());
        }
    }
}
