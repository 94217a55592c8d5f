package io.parvirt.api;

import static io.parvirt.api.ApiSupport.assertError;
import static io.parvirt.api.ApiSupport.json;
import static io.parvirt.api.ApiSupport.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.it.RunningDaemon;
import io.parvirt.it.SharedDaemon;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** POST /api/v1/hmc/cli: HMC command lines with their -f files, answered as text with the exit code. */
@Tag("daemon")
class CliEndpointTest {
    private static final String EXIT = "X-Parvirt-Exit-Code";
    @RegisterExtension
    static final SharedDaemon daemon = new SharedDaemon();

    private static HttpResponse<String> cli(List<String> argv, Map<String, String> files) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("argv", argv);
        if (files != null) {
            body.put("files", files);
        }
        HttpResponse<String> r = daemon.api("POST", "/api/v1/hmc/cli", write(body));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v)
                .startsWith("text/plain"));
        return r;
    }

    private static HttpResponse<String> cli(String... argv) {
        return cli(List.of(argv), null);
    }

    private static int exit(HttpResponse<String> r) {
        return Integer.parseInt(r.headers().firstValue(EXIT).orElseThrow(() -> new AssertionError("no " + EXIT)));
    }

    private static String record(String name) {
        return "name=" + name + ",profile_name=default,lpar_env=aixlinux,min_mem=1024,desired_mem=2048,max_mem=4096,"
                + "proc_mode=shared,min_proc_units=0.1,desired_proc_units=0.5,max_proc_units=2.0,min_procs=1,"
                + "desired_procs=2,max_procs=4,sharing_mode=uncap,uncap_weight=128,"
                + "\"virtual_eth_adapters=2/0/1//0/0,\"\"3/1/10/20,30/0/1\"\"\"";
    }

    private static List<String> names() {
        return json(ApiSupport.partitions(daemon.get())).findValuesAsText("name");
    }

    @Test
    void listingAnEmptySystemPrintsNoResultsAndExits0() {
        // a daemon of its own, so that the other tests' partitions (in any order) do not matter
        try (RunningDaemon fresh = RunningDaemon.start()) {
            HttpResponse<String> r = fresh.api("POST", "/api/v1/hmc/cli",
                    "{\"argv\":[\"lssyscfg\",\"-r\",\"lpar\",\"-m\",\"sys1\"]}");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("No results were found.\n");
            assertThat(r.headers().firstValue(EXIT)).hasValue("0");
            HttpResponse<String> h = fresh.api("POST", "/api/v1/hmc/cli",
                    "{\"argv\":[\"lssyscfg\",\"-r\",\"lpar\",\"-m\",\"sys1\",\"-F\",\"name\",\"--header\"]}");
            assertThat(h.body()).isEqualTo("No results were found.\n");
            assertThat(h.headers().firstValue(EXIT)).hasValue("0");
        }
    }

    @Test
    void objectErrorExits1WithAnHsclLineOnTheBody() {
        HttpResponse<String> r = cli("lssyscfg", "-r", "lpar", "-m", "sys1", "--filter", "lpar_names=nosuch");
        assertThat(exit(r)).isEqualTo(1);
        assertThat(r.body()).startsWith("HSCL8012 ").endsWith("\n");
        HttpResponse<String> rm = cli("rmsyscfg", "-r", "lpar", "-m", "sys1", "-n", "nosuch");
        assertThat(exit(rm)).isEqualTo(1);
        assertThat(rm.body()).startsWith("HSCL8012 ");
        HttpResponse<String> bad = cli("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", record("e1") + ",bogus=1");
        assertThat(exit(bad)).isEqualTo(1);
        assertThat(bad.body()).startsWith("HSCL1301 ").contains("bogus");
        assertThat(names()).doesNotContain("e1");
    }

    @Test
    void syntaxErrorExits1WithTheHmcSentenceAndNoCode() {
        HttpResponse<String> r = cli("lssyscfg", "-r", "lpar");
        assertThat(exit(r)).isEqualTo(1);
        assertThat(r.body()).startsWith("The command entered is either missing a required parameter")
                .contains("-m");
        HttpResponse<String> f = cli("lssyscfg", "-r", "lpar", "-m", "sys1", "-F", "name,bogus_attr");
        assertThat(exit(f)).isEqualTo(1);
        assertThat(f.body()).contains("The invalid attribute is bogus_attr");
        HttpResponse<String> u = cli("frobnicate");
        assertThat(exit(u)).isEqualTo(1);
        assertThat(u.body()).contains("frobnicate");
        HttpResponse<String> none = cli(List.of(), null);
        assertThat(exit(none)).isEqualTo(1);
        HttpResponse<String> wrongSys = cli("lssyscfg", "-r", "lpar", "-m", "othersys");
        assertThat(exit(wrongSys)).isEqualTo(1);
        assertThat(wrongSys.body()).isNotBlank();
    }

    @Test
    void changeCommandsAreSilentOnSuccess() {
        HttpResponse<String> r = cli("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", record("silent01"));
        assertThat(exit(r)).as(r.body()).isEqualTo(0);
        assertThat(r.body()).isEmpty();
        HttpResponse<String> ls = cli("lssyscfg", "-r", "lpar", "-m", "sys1", "--filter", "lpar_names=silent01",
                "-F", "name:state");
        assertThat(ls.body()).isEqualTo("silent01:Not Activated\n");
        HttpResponse<String> prof = cli("lssyscfg", "-r", "prof", "-m", "sys1", "--filter", "lpar_names=silent01",
                "-F", "virtual_eth_adapters");
        // -F: a value with commas is quoted whole, its element with commas in doubled quotes
        assertThat(prof.body()).isEqualTo("\"2/0/1//0/0/ETHERNET0//all/none,\"\"3/1/10/20,30/0/1/ETHERNET0//all/none"
                + "\"\"\"\n");
    }

    @Test
    void unknownFieldInTheRequestIs400() {
        assertError(daemon.api("POST", "/api/v1/hmc/cli", "{\"argv\":[\"lssyscfg\",\"-r\",\"sys\"],\"env\":{}}"), 400,
                null);
        assertError(daemon.api("POST", "/api/v1/hmc/cli", "{\"args\":[\"lssyscfg\"]}"), 400, null);
    }

    @Test
    void argvThatIsNotAnArrayOfStringsIs400() {
        for (String body : List.of("{\"argv\":\"lssyscfg -r sys\"}", "{\"argv\":[\"lssyscfg\",1]}",
                "{\"argv\":[\"lssyscfg\",null]}", "{\"argv\":[[\"lssyscfg\"]]}", "{\"argv\":[{\"a\":1}]}",
                "{\"argv\":null}", "{\"argv\":[\"lssyscfg\",true]}", "[\"lssyscfg\"]", "\"lssyscfg\"", "",
                "{\"argv\":[\"lssyscfg\"],\"files\":[\"x\"]}", "{\"argv\":[\"lssyscfg\"],\"files\":{\"/a\":1}}",
                "{\"argv\":[\"lssyscfg\"],\"argv\":[\"lssyscfg\"]}")) {
            HttpResponse<String> r = daemon.api("POST", "/api/v1/hmc/cli", body);
            assertError(r, 400, null);
            assertThat(r.headers().firstValue(EXIT)).as(body).isEmpty();
        }
    }

    @Test
    void filesMapFeedsMksyscfgWithOneRecordPerLine() {
        String content = record("file01") + "\n" + record("file02") + "\n";
        HttpResponse<String> r = cli(List.of("mksyscfg", "-r", "lpar", "-m", "sys1", "-f", "/x/y"),
                Map.of("/x/y", content));
        assertThat(exit(r)).as(r.body()).isEqualTo(0);
        assertThat(names()).contains("file01", "file02");
        for (String n : List.of("file01", "file02")) {
            String eth = json(daemon.api("GET", "/api/v1/partitions/" + n + "/profiles", null).body()).get(0)
                    .get("virtual_eth_adapters").asText();
            assertThat(eth).isEqualTo("2/0/1//0/0/ETHERNET0//all/none,\"3/1/10/20,30/0/1/ETHERNET0//all/none\"");
        }
        // CRLF line ends and blank lines are allowed
        HttpResponse<String> crlf = cli(List.of("mksyscfg", "-r", "lpar", "-m", "sys1", "-f", "in.txt"),
                Map.of("in.txt", "\r\n" + record("file03") + "\r\n\r\n" + record("file04") + "\r\n"));
        assertThat(exit(crlf)).as(crlf.body()).isEqualTo(0);
        assertThat(names()).contains("file03", "file04");
    }

    @Test
    void fileWithOneInvalidRecordCreatesNeither() {
        String before = ApiSupport.partitions(daemon.get());
        String badMem = record("half02").replace("min_mem=1024", "min_mem=3072");
        HttpResponse<String> r = cli(List.of("mksyscfg", "-r", "lpar", "-m", "sys1", "-f", "/x/y"),
                Map.of("/x/y", record("half01") + "\n" + badMem + "\n"));
        assertThat(exit(r)).isEqualTo(1);
        assertThat(r.body()).startsWith("HSCL1304 ");
        assertThat(ApiSupport.partitions(daemon.get())).isEqualTo(before);

        // the bad record first: the same
        r = cli(List.of("mksyscfg", "-r", "lpar", "-m", "sys1", "-f", "/x/y"),
                Map.of("/x/y", badMem + "\n" + record("half01") + "\n"));
        assertThat(exit(r)).isEqualTo(1);
        assertThat(ApiSupport.partitions(daemon.get())).isEqualTo(before);

        // a record that does not parse (unbalanced quote) after a good one
        r = cli(List.of("mksyscfg", "-r", "lpar", "-m", "sys1", "-f", "/x/y"),
                Map.of("/x/y", record("half01") + "\n" + "name=half03,\"desired_mem=1024\n"));
        assertThat(exit(r)).isEqualTo(1);
        assertThat(r.body()).startsWith("HSCL");
        assertThat(ApiSupport.partitions(daemon.get())).isEqualTo(before);

        // two records with the same name in one file
        r = cli(List.of("mksyscfg", "-r", "lpar", "-m", "sys1", "-f", "/x/y"),
                Map.of("/x/y", record("half04") + "\n" + record("half04") + "\n"));
        assertThat(exit(r)).isEqualTo(1);
        assertThat(r.body()).startsWith("HSCL1308 ");
        assertThat(ApiSupport.partitions(daemon.get())).isEqualTo(before);
    }

    @Test
    void fileThatWasNotSentCannotBeRead() {
        String before = ApiSupport.partitions(daemon.get());
        HttpResponse<String> r = cli(List.of("mksyscfg", "-r", "lpar", "-m", "sys1", "-f", "/etc/passwd"),
                Map.of("/x/y", record("nf01")));
        assertThat(exit(r)).isEqualTo(1);
        assertThat(r.body()).contains("/etc/passwd").doesNotContain("root:");
        r = cli(List.of("mksyscfg", "-r", "lpar", "-m", "sys1", "-f", "/x/y"), Map.of("/x/y", "\n \n"));
        assertThat(exit(r)).isEqualTo(1);
        r = cli(List.of("mksyscfg", "-r", "lpar", "-m", "sys1", "-f", "/x/y", "-i", record("nf02")),
                Map.of("/x/y", record("nf01")));
        assertThat(exit(r)).isEqualTo(1);
        assertThat(ApiSupport.partitions(daemon.get())).isEqualTo(before);
    }
}
