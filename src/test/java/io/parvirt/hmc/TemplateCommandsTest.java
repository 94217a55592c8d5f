package io.parvirt.hmc;

import static org.assertj.core.api.Assertions.assertThat;

import io.parvirt.testing.InProcessSystem;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 19: parvirt's partition templates: save, list, deploy N (all or none), remove. */
@Tag("unit")
class TemplateCommandsTest {
    static final String SYS = InProcessSystem.SYS;
    @TempDir
    Path dir;
    InProcessSystem system;

    @BeforeEach
    void setUp() {
        system = new InProcessSystem(dir);
        system.ok("mksyscfg", "-r", "lpar", "-m", SYS, "-i", "name=gold,profile_name=default,lpar_env=aixlinux,"
                + "min_mem=256,desired_mem=512,max_mem=1024,proc_mode=shared,min_proc_units=0.1,"
                + "desired_proc_units=0.3,max_proc_units=1.0,min_procs=1,desired_procs=2,max_procs=2,"
                + "sharing_mode=uncap,uncap_weight=64,\"virtual_eth_adapters=2/0/1//0/0,3/0/20//0/0\"");
        system.ok("mksyscfg", "-r", "prof", "-m", SYS, "-i", "name=small,lpar_name=gold,min_mem=256,desired_mem=256,"
                + "max_mem=512,min_procs=1,desired_procs=1,max_procs=1");
        system.ok("chsyscfg", "-r", "prof", "-m", SYS, "-i", "name=default,lpar_name=gold,"
                + "virtual_eth_adapters+=4/0/30//0/0/ETHERNET0/0A1B2C3D4E5F/all/none");
        system.ok("mksyscfg", "-r", "lpartemplate", "-m", SYS, "-i", "name=web,lpar_name=gold");
    }

    @AfterEach
    void tearDown() {
        system.close();
    }

    private String partitions() {
        return system.run("lssyscfg", "-r", "lpar", "-m", SYS, "-F", "name,lpar_id").stdout();
    }

    @Test
    void aTemplateIsListedAndDeploysFivePartitionsWithChosenNamesAndIds() {
        assertThat(system.run("lssyscfg", "-r", "lpartemplate", "-m", SYS, "-F",
                "name,source_lpar_name,profile_names,desired_mem,desired_procs").stdout())
                .isEqualTo("web,gold,\"default,small\",512,2\n");
        StringBuilder records = new StringBuilder();
        for (int i = 1; i <= 5; i++) {
            records.append("name=web").append(i).append(",lpar_id=").append(10 + i).append('\n');
        }
        HmcResult r = system.hmc.run(new HmcInvocation(java.util.List.of("mksyscfg", "-r", "lpar", "-m", SYS,
                "--template", "web", "-f", "deploy.txt"), java.util.Map.of("deploy.txt", records.toString()),
                "local:test"));
        assertThat(r.exitCode()).as(r.stdout()).isZero();
        assertThat(partitions()).isEqualTo("gold,1\nweb1,11\nweb2,12\nweb3,13\nweb4,14\nweb5,15\n");
        String gold = system.run("lssyscfg", "-r", "prof", "-m", SYS, "--filter", "lpar_names=gold", "-F",
                "name,desired_mem,desired_proc_units,uncap_weight").stdout();
        String web3 = system.run("lssyscfg", "-r", "prof", "-m", SYS, "--filter", "lpar_names=web3", "-F",
                "name,desired_mem,desired_proc_units,uncap_weight").stdout();
        assertThat(web3).isEqualTo(gold);
        String eth = system.run("lssyscfg", "-r", "prof", "-m", SYS, "--filter", "lpar_names=web3,profile_names="
                + "default", "-F", "virtual_eth_adapters").stdout();
        assertThat(eth).contains("4/0/30/").doesNotContain("0A1B2C3D4E5F"); // its own MAC, not gold's
        assertThat(system.run("lssyscfg", "-r", "lpar", "-m", SYS, "-F", "lpar_id,uuid").stdout().lines()
                .map(l -> l.split(",")[1]).distinct().count()).isEqualTo(6);
    }

    @Test
    void aDeploymentWithOneBadRecordCreatesNothing() {
        String before = partitions();
        for (String bad : new String[] {"name=a1\nname=gold\n", "name=a1,lpar_id=1\n", "name=a1\nname=a1\n",
            "name=a1,desired_mem=9\n", "lpar_id=7\n"}) {
            HmcResult r = system.hmc.run(new HmcInvocation(java.util.List.of("mksyscfg", "-r", "lpar", "-m", SYS,
                    "--template", "web", "-f", "d"), java.util.Map.of("d", bad), "local:test"));
            assertThat(r.exitCode()).as(bad).isEqualTo(1);
            assertThat(r.stdout()).as(bad).startsWith("HSCL13").hasLineCount(1);
            assertThat(partitions()).isEqualTo(before);
        }
        assertThat(system.run("mksyscfg", "-r", "lpar", "-m", SYS, "--template", "nope", "-i", "name=x").stdout())
                .startsWith("HSCL8013 ");
    }

    @Test
    void aTemplateNameIsUniqueAndARemovedTemplateIsGone() {
        assertThat(system.run("mksyscfg", "-r", "lpartemplate", "-m", SYS, "-i", "name=web,lpar_name=gold").stdout())
                .startsWith("HSCL1308 ");
        system.ok("rmsyscfg", "-r", "lpartemplate", "-m", SYS, "-n", "web");
        assertThat(system.run("lssyscfg", "-r", "lpartemplate", "-m", SYS).stdout())
                .isEqualTo("No results were found.\n");
        assertThat(system.run("rmsyscfg", "-r", "lpartemplate", "-m", SYS, "-n", "web").stdout())
                .startsWith("HSCL8013 ");
    }
}
