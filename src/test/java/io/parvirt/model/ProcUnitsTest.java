package io.parvirt.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.parvirt.model.ModelException.Kind;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Processing units: exact hundredths, HMC decimal syntax, 0.01 granularity (reference §3). */
@Tag("unit")
class ProcUnitsTest {

    private static final String ATTR = "desired_proc_units";

    @ParameterizedTest(name = "{0} -> {1} hundredths")
    @CsvSource({
        "0.5, 50",
        "1, 100",
        "0.05, 5",
        "2.10, 210",
        "0.01, 1",
        "0, 0",
        "1.0, 100",
        "0.50, 50",
        "0.010, 1",
        "1.000, 100",
        "0.0100, 1",
        "2.50000, 250",
        "63.99, 6399",
        "100000, 10000000",
    })
    void parsesDecimalsIntoExactHundredths(String text, int hundredths) {
        assertThat(ProcUnits.parse(ATTR, text).hundredths()).isEqualTo(hundredths);
    }

    @ParameterizedTest(name = "''{0}'' -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
        "0.001 | GRANULARITY",
        "1.005 | GRANULARITY",
        "0.123 | GRANULARITY",
        "-1 | INVALID_VALUE",
        "-0.5 | INVALID_VALUE",
        "abc | INVALID_VALUE",
        "1. | INVALID_VALUE",
        ".5 | INVALID_VALUE",
        "'' | INVALID_VALUE",
        "' 1' | INVALID_VALUE",
        "1,5 | INVALID_VALUE",
        "1e2 | INVALID_VALUE",
        "+1 | INVALID_VALUE",
        "0x10 | INVALID_VALUE",
        "1.2.3 | INVALID_VALUE",
        "\u0661 | INVALID_VALUE",
        "\uff11 | INVALID_VALUE",
        "100000.01 | OUT_OF_RANGE",
        "9999999 | OUT_OF_RANGE",
    })
    void rejectsMalformedOrUngranularValues(String text, Kind kind) {
        ModelException e = catchThrowableOfType(ModelException.class, () -> ProcUnits.parse(ATTR, text));

        assertThat(e).as("parse(%s)", text).isNotNull();
        assertThat(e.kind()).isEqualTo(kind);
        assertThat(e.attribute()).isEqualTo(ATTR);
        assertThat(e.getMessage()).contains(ATTR).doesNotContain("\n");
    }

    @ParameterizedTest
    @CsvSource({"99999999999999999999", "9223372036854775808", "2147483648", "10000000.5"})
    void hugeNumbersAreRejectedAsInvalidOrOutOfRange(String text) {
        assertThatThrownBy(() -> ProcUnits.parse(ATTR, text)).isInstanceOfSatisfying(ModelException.class,
                e -> assertThat(e.kind()).isIn(Kind.INVALID_VALUE, Kind.OUT_OF_RANGE));
    }

    @Test
    void overlongValueIsOutOfRangeWithoutEchoingIt() {
        String text = "1" + "0".repeat(Values.MAX_VALUE_LENGTH);

        assertThatThrownBy(() -> ProcUnits.parse(ATTR, text))
                .isInstanceOfSatisfying(ModelException.class, e -> assertThat(e.kind()).isEqualTo(Kind.OUT_OF_RANGE))
                .message().hasSizeLessThan(200);
    }

    @ParameterizedTest(name = "{0} hundredths -> {1}")
    @CsvSource({
        "50, 0.5",
        "100, 1.0",
        "25, 0.25",
        "5, 0.05",
        "200, 2.0",
        "210, 2.1",
        "1, 0.01",
        "0, 0.0",
        "1230, 12.3",
        "1234, 12.34",
    })
    void printsInHmcForm(int hundredths, String text) {
        assertThat(new ProcUnits(hundredths)).hasToString(text);
    }

    @Test
    void printedFormParsesBackToTheSameValue() {
        for (int h = 0; h <= 20_000; h++) {
            ProcUnits u = new ProcUnits(h);
            assertThat(ProcUnits.parse(ATTR, u.toString())).isEqualTo(u);
        }
    }

    @Test
    void arithmeticStaysExact() {
        ProcUnits tenth = ProcUnits.parse(ATTR, "0.1");
        ProcUnits sum = ProcUnits.ZERO;
        for (int i = 0; i < 10; i++) {
            sum = sum.plus(tenth);
        }

        assertThat(sum).isEqualTo(ProcUnits.ofCores(1));
        assertThat(ProcUnits.MIN_PER_VP.times(20)).isEqualTo(ProcUnits.ofCores(1));
        assertThat(tenth.minus(ProcUnits.ofCores(1))).isEqualTo(ProcUnits.ZERO);
        assertThat(ProcUnits.parse(ATTR, "0.5").compareTo(ProcUnits.parse(ATTR, "0.05"))).isPositive();
        assertThat(ProcUnits.ofCores(2).isWhole()).isTrue();
        assertThat(tenth.isWhole()).isFalse();
    }

    @Test
    void constructorRejectsNegativeHundredthsAsAProgrammingError() {
        assertThatThrownBy(() -> new ProcUnits(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
