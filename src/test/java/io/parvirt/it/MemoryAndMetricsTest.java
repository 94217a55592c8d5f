package io.parvirt.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The hypervisor memory of each partition, itemised in the API and in /metrics, adds up to sys_firmware_mem. */
@Tag("daemon")
class MemoryAndMetricsTest {

    @Test
    void pageTablesPerPartitionAddUpToTheFirmwareReserveShownByLshwres() throws Exception {
        try (RunningDaemon d = RunningDaemon.start()) {
            for (int i = 0; i < 5; i++) {
                String body = "{\"argv\":[\"mksyscfg\",\"-r\",\"lpar\",\"-m\",\"sys1\",\"-i\",\"name=m" + i
                        + ",profile_name=p,lpar_env=aixlinux,min_mem=1024,desired_mem=2048,max_mem=4096,min_procs=1,"
                        + "desired_procs=1,max_procs=1\"]}";
                assertThat(d.api("POST", "/api/v1/hmc/cli", body).headers().firstValue("X-Parvirt-Exit-Code"))
                        .contains("0");
            }
            JsonNode report = new ObjectMapper().readTree(d.api("GET", "/api/v1/memory", null).body());
            assertThat(report.get("partitions")).hasSize(5);
            long tables = 0;
            for (JsonNode p : report.get("partitions")) {
                assertThat(p.get("pageTableMb").asLong()).isEqualTo(64);
                tables += p.get("pageTableMb").asLong();
            }
            long lmb = report.get("lmbMb").asLong();
            long expected = Math.ceilDiv(report.get("baseMb").asLong() + tables, lmb) * lmb;
            assertThat(report.get("totalMb").asLong()).isEqualTo(expected);
            JsonNode mem = new ObjectMapper().readTree(d.api("GET", "/api/v1/hardware/mem?level=sys", null).body());
            assertThat(mem.get(0).get("sys_firmware_mem").asLong()).isEqualTo(expected);

            String metrics = d.api("GET", "/metrics", null).body();
            assertThat(metrics).contains("parvirt_partitions_defined 5.0")
                    .contains("parvirt_sys_firmware_mem_mb " + (double) expected)
                    .contains("parvirt_partition_page_table_mb{lpar_id=\"1\",lpar_name=\"m0\"} 64");
        }
    }

    @Test
    void theSystemsHptRatioSettingIsTheDefaultOfNewProfiles() {
        try (RunningDaemon d = RunningDaemon.start("hpt_ratio=1:256\n")) {
            assertThat(d.hmc("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", "name=a,profile_name=p,lpar_env=aixlinux,"
                    + "min_mem=1024,desired_mem=1024,max_mem=2048,min_procs=1,desired_procs=1,max_procs=1").exit()).isZero();
            assertThat(d.hmc("mksyscfg", "-r", "lpar", "-m", "sys1", "-i", "name=b,profile_name=p,lpar_env=aixlinux,"
                    + "min_mem=1024,desired_mem=1024,max_mem=2048,min_procs=1,desired_procs=1,max_procs=1,"
                    + "hpt_ratio=1:64").exit()).isZero();
            assertThat(d.hmc("lssyscfg", "-r", "prof", "-m", "sys1", "-F", "lpar_name,hpt_ratio").stdout())
                    .isEqualTo("a,1:256\nb,1:64\n");
        }
    }
}
