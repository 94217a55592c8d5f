package io.parvirt.hmc;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.model.ModelException;
import io.parvirt.model.ModelException.Kind;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Issue 11: every error kind has its code and status in the one mapping. */
@Tag("unit")
class HsclCodeTest {

    @Test
    void everyKindHasAnHsclCodeAndAnErrorStatus() {
        for (Kind k : Kind.values()) {
            assertThat(HsclCode.code(k)).as(k.name()).matches("HSCL[0-9A-F]{4}");
            assertThat(HsclCode.httpStatus(k)).as(k.name()).isBetween(400, 599);
        }
    }

    @Test
    void theHmcsOwnCodesAndParvirtsFailures() {
        assertThat(HsclCode.code(Kind.PARTITION_NOT_FOUND)).isEqualTo("HSCL8012");
        assertThat(HsclCode.httpStatus(Kind.PARTITION_NOT_FOUND)).isEqualTo(404);
        assertThat(HsclCode.error(ModelException.of(Kind.NOT_AUTHENTICATED, "who?")))
                .isEqualTo(new HmcError("HSCL350B", "who?", 401));
        assertThat(HsclCode.error(ModelException.of(Kind.NOT_AUTHORIZED, "no"))).isEqualTo(new HmcError("HSCL350B",
                "no", 403));
        ModelException internal = HsclCode.unexpected(new ArithmeticException("/ by zero"));
        assertThat(internal.getCause()).isInstanceOf(ArithmeticException.class);
        assertThat(HsclCode.error(internal)).isEqualTo(new HmcError("HSCL130F",
                "The command failed: java.lang.ArithmeticException: / by zero", 500));
        assertThat(HsclCode.error(internal).line()).isEqualTo("HSCL130F The command failed: "
                + "java.lang.ArithmeticException: / by zero");
    }
}
