package io.parvirt.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.parvirt.model.AttributeInput.Assignment;
import io.parvirt.model.AttributeInput.Op;
import io.parvirt.model.ModelException.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The HMC attribute grammar (reference §0): pairs, CSV quoting at two levels, list deltas, strict errors. */
@Tag("unit")
class AttributeInputTest {

    @Test
    void plainPairsAreSplitInOrder() {
        assertThat(AttributeInput.parseRecord("name=lp1,min_mem=256,lpar_env=aixlinux")).containsExactly(
                new Assignment("name", Op.SET, "lp1"),
                new Assignment("min_mem", Op.SET, "256"),
                new Assignment("lpar_env", Op.SET, "aixlinux"));
    }

    @Test
    void emptyScalarValueIsKept() {
        assertThat(AttributeInput.parseRecord("description=,name=lp1"))
                .containsExactly(new Assignment("description", Op.SET, ""), new Assignment("name", Op.SET, "lp1"));
    }

    @Test
    void quotedPairKeepsCommasInItsValue() {
        assertThat(AttributeInput.parseRecord("name=lp1,\"description=db, tier 2\""))
                .containsExactly(new Assignment("name", Op.SET, "lp1"),
                        new Assignment("description", Op.SET, "db, tier 2"));
    }

    @Test
    void doubledQuotesMarkAListElementThatHoldsCommas() {
        List<Assignment> r = AttributeInput.parseRecord(
                "\"virtual_eth_adapters=3/1/1/10/0/1,\"\"2/1/1/3,4,5/0/1\"\"\"");

        assertThat(r).containsExactly(
                new Assignment("virtual_eth_adapters", Op.SET, "3/1/1/10/0/1,\"2/1/1/3,4,5/0/1\""));
        assertThat(AttributeInput.splitList("virtual_eth_adapters", r.get(0).value()))
                .containsExactly("3/1/1/10/0/1", "2/1/1/3,4,5/0/1");
    }

    @Test
    void plusEqualsAddsAndMinusEqualsRemoves() {
        assertThat(AttributeInput.parseRecord("virtual_scsi_adapters+=28/server/8/lp8/5/0,io_slots-=21030003//0"))
                .containsExactly(new Assignment("virtual_scsi_adapters", Op.ADD, "28/server/8/lp8/5/0"),
                        new Assignment("io_slots", Op.REMOVE, "21030003//0"));
    }

    @Test
    void deltaOperatorWorksInsideAQuotedPair() {
        assertThat(AttributeInput.parseRecord("\"virtual_eth_adapters+=\"\"4/1/1/3,4/0/1\"\"\""))
                .containsExactly(new Assignment("virtual_eth_adapters", Op.ADD, "\"4/1/1/3,4/0/1\""));
    }

    @Test
    void valueMayContainFurtherEqualsSigns() {
        assertThat(AttributeInput.parseRecord("description=a=b")).containsExactly(
                new Assignment("description", Op.SET, "a=b"));
    }

    @Test
    void noneAndEmptyAreTheEmptyList() {
        assertThat(AttributeInput.splitList("virtual_eth_adapters", "none")).isEmpty();
        assertThat(AttributeInput.splitList("virtual_eth_adapters", "")).isEmpty();
        assertThat(AttributeInput.splitList("power_ctrl_lpar_ids", "1,2")).containsExactly("1", "2");
    }

    static Stream<Arguments> malformedRecords() {
        return Stream.of(
                Arguments.of("a=1,\"b=2", "unbalanced quote"),
                Arguments.of("\"a=1", "unbalanced quote"),
                Arguments.of("a=1\"x\",b=2", "double quote inside an unquoted"),
                Arguments.of("a=\"1\"", "double quote inside an unquoted"),
                Arguments.of("\"a=1\"x,b=2", "followed by a comma"),
                Arguments.of("a=1,,b=2", "empty entry"),
                Arguments.of(",a=1", "empty entry"),
                Arguments.of("\"\"", "empty entry"),
                Arguments.of("a=1,", "ends with a comma"),
                Arguments.of("", "empty"),
                Arguments.of("novalue", "attribute=value"),
                Arguments.of("=1", "attribute=value"),
                Arguments.of("Name=lp1", "attribute name \"Name\""),
                Arguments.of("min_MEM=256", "attribute name"),
                Arguments.of("n\u00e4me=lp1", "attribute name"),
                Arguments.of("na me=lp1", "attribute name"),
                Arguments.of("+=1", "attribute name"),
                Arguments.of("a+-=1", "attribute name"),
                Arguments.of("a".repeat(65) + "=1", "attribute name"));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("malformedRecords")
    void malformedRecordIsASyntaxError(String record, String fragment) {
        ModelException e = catchThrowableOfType(ModelException.class, () -> AttributeInput.parseRecord(record));

        assertThat(e).as("parseRecord(%s)", record).isNotNull();
        assertThat(e.kind()).isEqualTo(Kind.SYNTAX);
        assertThat(e.getMessage()).contains(fragment);
    }

    @Test
    void longestAttributeNameIsAccepted() {
        assertThat(AttributeInput.parseRecord("a".repeat(64) + "=1")).hasSize(1);
    }

    @Test
    void repeatedAttributeIsADuplicateEvenWithADifferentOperator() {
        for (String record : List.of("a=1,a=2", "virtual_eth_adapters=none,virtual_eth_adapters+=2/1/1//0/1")) {
            ModelException e = catchThrowableOfType(ModelException.class, () -> AttributeInput.parseRecord(record));
            assertThat(e).as(record).isNotNull();
            assertThat(e.kind()).isEqualTo(Kind.DUPLICATE_ATTRIBUTE);
            assertThat(e.attribute()).isEqualTo(record.substring(0, record.indexOf('=')));
            assertThat(e.getMessage()).contains(e.attribute());
        }
    }

    @Test
    void recordLongerThanTheLimitIsRejectedAndOneAtTheLimitIsNot() {
        String atLimit = "a=" + "x".repeat(AttributeInput.MAX_RECORD_LENGTH - 2);
        assertThat(AttributeInput.parseRecord(atLimit)).hasSize(1);

        assertThatThrownBy(() -> AttributeInput.parseRecord(atLimit + "x"))
                .isInstanceOfSatisfying(ModelException.class, e -> assertThat(e.kind()).isEqualTo(Kind.SYNTAX))
                .hasMessageContaining("too long");
    }

    @Test
    void splitErrorsNameTheInputTheyAreAbout() {
        assertThatThrownBy(() -> AttributeInput.splitList("power_ctrl_lpar_ids", "1,,2"))
                .isInstanceOf(ModelException.class).hasMessageContaining("value of attribute power_ctrl_lpar_ids");
    }

    @Test
    void outputQuotesAPairOnlyWhenItsValueHoldsACommaOrQuote() {
        assertThat(pair("name", "lp1")).isEqualTo("name=lp1");
        assertThat(pair("possible_hpt_ratios", "1:32,1:64")).isEqualTo("\"possible_hpt_ratios=1:32,1:64\"");
        assertThat(pair("description", "say \"hi\"")).isEqualTo("\"description=say \"\"hi\"\"\"");
        assertThat(AttributeOutput.list(List.of())).isEqualTo("none");
    }

    @Test
    void outputOfAListWithACommaElementIsTheReferenceForm() {
        String value = AttributeOutput.list(List.of("3/1/1/10/0/1", "2/1/1/3,4,5/0/1"));

        assertThat(pair("virtual_eth_adapters", value))
                .isEqualTo("\"virtual_eth_adapters=3/1/1/10/0/1,\"\"2/1/1/3,4,5/0/1\"\"\"");
    }

    @Test
    void formattedPairsParseBackToTheSameValues() {
        Random rnd = new Random(20240611L);
        for (int i = 0; i < 3000; i++) {
            int n = 1 + rnd.nextInt(4);
            List<String> values = new ArrayList<>();
            StringBuilder record = new StringBuilder();
            for (int k = 0; k < n; k++) {
                values.add(randomText(rnd, 0));
                record.append(k == 0 ? "" : ",");
                AttributeOutput.pair(record, "attr_" + k, values.get(k));
            }

            List<Assignment> parsed = AttributeInput.parseRecord(record.toString());

            assertThat(parsed).as("record %s", record).hasSize(n);
            for (int k = 0; k < n; k++) {
                assertThat(parsed.get(k)).as("record %s", record)
                        .isEqualTo(new Assignment("attr_" + k, Op.SET, values.get(k)));
            }
        }
    }

    @Test
    void formattedListsParseBackToTheSameElements() {
        Random rnd = new Random(7L);
        for (int i = 0; i < 3000; i++) {
            List<String> elements = new ArrayList<>();
            for (int k = rnd.nextInt(5); k > 0; k--) {
                elements.add(randomText(rnd, 1));
            }
            if (elements.equals(List.of("none"))) {
                continue; // a single element "none" is the empty list by definition
            }
            String record = pair("virtual_eth_adapters", AttributeOutput.list(elements));

            Assignment a = AttributeInput.parseRecord(record).get(0);

            assertThat(AttributeInput.splitList(a.name(), a.value())).as("record %s", record)
                    .containsExactlyElementsOf(elements);
        }
    }

    @Test
    void formattedSingleValueSplitsBackToItself() {
        Random rnd = new Random(99L);
        for (int i = 0; i < 2000; i++) {
            String v = randomText(rnd, 1);
            StringBuilder out = new StringBuilder();
            AttributeOutput.value(out, v);
            assertThat(AttributeInput.splitCsv(out.toString(), "output")).as("output %s", out).containsExactly(v);
        }
    }

    private static String pair(String name, String value) {
        StringBuilder b = new StringBuilder();
        AttributeOutput.pair(b, name, value);
        return b.toString();
    }

    private static final String ALPHABET = "ab01/ ,,\"\"=+-:_\u00e9\u4e2d.";

    /** Text of {@code min}..12 characters drawn mostly from the grammar's special characters. */
    private static String randomText(Random rnd, int min) {
        int len = min + rnd.nextInt(13 - min);
        StringBuilder b = new StringBuilder(len);
        for (int i = 0; i < len; i++) {
            b.append(ALPHABET.charAt(rnd.nextInt(ALPHABET.length())));
        }
        return b.toString();
    }
}
