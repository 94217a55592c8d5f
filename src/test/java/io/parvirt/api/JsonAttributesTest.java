package io.parvirt.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parvirt.model.AttributeInput;
import io.parvirt.model.AttributeInput.Assignment;
import io.parvirt.model.AttributeInput.Op;
import io.parvirt.model.ModelException;
import io.parvirt.model.ModelException.Kind;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 11: a JSON body becomes the assignments of a command directly, as strictly as the HMC
 * attribute text it replaced (the same kinds, hence the same codes and statuses).
 */
@Tag("unit")
class JsonAttributesTest {

    static Assignment set(String name, String value) {
        return new Assignment(name, Op.SET, value);
    }

    static void rejects(String body, Kind kind) {
        assertThatThrownBy(() -> JsonAttributes.parse(body)).isInstanceOf(ModelException.class)
                .satisfies(e -> assertThat(((ModelException) e).kind()).isEqualTo(kind));
    }

    @Test
    void valuesAreWrittenAsTheHmcWouldTypeThem() {
        assertThat(JsonAttributes.parse("{\"name\":\"a,b\\\"c\",\"min_mem\":1024,\"min_proc_units\":0.10,"
                + "\"auto_start\":true,\"virtual_eth_adapters\":[\"2/0/1//0/0\",\"3/1/10/20,30/0/1\"]}"))
                .containsExactly(set("name", "a,b\"c"), set("min_mem", "1024"), set("min_proc_units", "0.1"),
                        set("auto_start", "1"), set("virtual_eth_adapters", "2/0/1//0/0,\"3/1/10/20,30/0/1\""));
    }

    @Test
    void pathAttributesComeFirstAndMayNotBeRepeated() {
        assertThat(JsonAttributes.parse("{\"desired_mem\":2048}", set("lpar_name", "web"), set("name", "p1")))
                .containsExactly(set("lpar_name", "web"), set("name", "p1"), set("desired_mem", "2048"));
        assertThat(JsonAttributes.parse("", set("name", "web"))).containsExactly(set("name", "web"));
        assertThatThrownBy(() -> JsonAttributes.parse("{\"name\":\"x\"}", set("name", "web")))
                .isInstanceOf(ModelException.class).hasMessageContaining("comes from the path");
    }

    @Test
    void whatTheAttributeGrammarWouldRejectIsRejectedWithTheSameKind() {
        rejects("{}", Kind.SYNTAX);
        rejects("[1]", Kind.SYNTAX);
        rejects("{\"a\":1,\"a\":2}", Kind.SYNTAX);
        rejects("{\"a\":1} {}", Kind.SYNTAX);
        rejects("{\"Name\":\"x\"}", Kind.UNKNOWN_ATTRIBUTE);
        rejects("{\"a\":null}", Kind.SYNTAX);
        rejects("{\"a\":{\"b\":1}}", Kind.SYNTAX);
        rejects("{\"a\":[{\"b\":1}]}", Kind.SYNTAX);
        rejects("{\"a\":1" + "0".repeat(64) + "}", Kind.OUT_OF_RANGE);
        rejects("{\"a\":1e400}", Kind.OUT_OF_RANGE);
        rejects("{\"a\":\"" + "x".repeat(AttributeInput.MAX_RECORD_LENGTH) + "\"}", Kind.SYNTAX);
    }
}
