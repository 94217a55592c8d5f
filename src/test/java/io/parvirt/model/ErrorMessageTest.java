package io.parvirt.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.parvirt.model.ModelException.Kind;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Error sentences echo the rejected value, so they must stay one line of well-formed text whatever
 * the input holds. The inputs are the minimal reproducers {@link AttributeFuzzTest} reduced its
 * findings to, plus the cases the sanitiser already handles.
 */
@Tag("unit")
class ErrorMessageTest {

    static Stream<Arguments> hostileValues() {
        return Stream.of(
                set("uncap_weight=\n", Kind.INVALID_VALUE),
                set("uncap_weight=\r\u001b[31m\u007f", Kind.INVALID_VALUE),
                set("uncap_weight=\u0085", Kind.INVALID_VALUE),
                set("uncap_weight=\u009b31m", Kind.INVALID_VALUE),
                set("min_mem=\u2028", Kind.INVALID_VALUE),
                set("boot_mode=\u2029", Kind.INVALID_VALUE),
                set("bsr_arrays=\u0085", Kind.NOT_SUPPORTED),
                set("\u0085", Kind.SYNTAX),
                set("\u2028", Kind.SYNTAX));
    }

    private static Arguments set(String record, Kind kind) {
        return Arguments.argumentSet(kind + " for " + AttributeFuzzTest.escape(record), record, kind);
    }

    @ParameterizedTest
    @MethodSource("hostileValues")
    void echoedValueCannotBreakTheMessageIntoLines(String record, Kind kind) {
        ModelException e = reject(record);

        assertThat(e.kind()).isEqualTo(kind);
        assertThat(AttributeFuzzTest.badMessage(e)).as("message %s", AttributeFuzzTest.escape(e.getMessage()))
                .isNull();
    }

    @Test
    void cuttingALongValueKeepsSurrogatePairsWhole() {
        ModelException e = reject("uncap_weight=" + "a".repeat(60) + "\ud83d\ude00" + "b".repeat(10));

        assertThat(AttributeFuzzTest.badMessage(e)).as("message %s", AttributeFuzzTest.escape(e.getMessage()))
                .isNull();
    }

    @Test
    void longValuesAreCutSoTheMessageStaysShort() {
        ModelException e = reject("uncap_weight=" + "x".repeat(1000));

        assertThat(e.getMessage()).contains("x".repeat(61) + "...").doesNotContain("x".repeat(62))
                .contains("uncap_weight");
    }

    @Test
    void overlongValueIsRejectedBeforeAnyParserSeesIt() {
        ModelException e = reject("min_mem=" + "9".repeat(Values.MAX_VALUE_LENGTH + 1));

        assertThat(e.kind()).isEqualTo(Kind.OUT_OF_RANGE);
        assertThat(e.getMessage()).contains("min_mem", "too long").doesNotContain("99999");
    }

    @Test
    void unknownAttributeIsNamedInTheMessage() {
        ModelException e = reject("min_mem=256,frob_level=3");

        assertThat(e.kind()).isEqualTo(Kind.UNKNOWN_ATTRIBUTE);
        assertThat(e.attribute()).isEqualTo("frob_level");
        assertThat(e.getMessage()).contains("\"frob_level\"", "partition profile");
    }

    private static ModelException reject(String record) {
        ModelException e = catchThrowableOfType(ModelException.class,
                () -> TestContext.standard().build(LparEnv.AIXLINUX, TestContext.NEW_ID, record));
        assertThat(e).as("expected a ModelException for %s", AttributeFuzzTest.escape(record)).isNotNull();
        return e;
    }
}
