package io.parvirt.hmc;

import io.parvirt.model.AttributeInput;
import io.parvirt.model.HptRatio;
import io.parvirt.model.Limits;
import io.parvirt.model.ModelException;
import io.parvirt.model.Partition;
import io.parvirt.model.SharedProcessorPool;
import io.parvirt.model.SystemDefinition;
import io.parvirt.model.Values;
import io.parvirt.system.Capacity;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** {@code lshwres -r proc|mem|procpool} and {@code chhwres -r procpool}. */
final class HwresCommands {

    HmcResult lshwres(Hmc.Context c) {
        Options o = new Options().values("-r", "-m", "--level", "--filter", "--maxmem", "--hptratio", "--rsubtype")
                .withFields().parse(c.args());
        String r = o.oneOf("-r", "proc", "mem", "procpool");
        Systems.check(c.sys(), o.require("-m"));
        SystemDefinition def = c.sys().definition();
        Capacity cap = c.sys().capacity();
        if (r.equals("procpool")) {
            Filter f = Filter.parse(o.get("--filter"), Set.of("pool_names", "pool_ids"));
            List<Row> rows = new ArrayList<>();
            for (SharedProcessorPool p : def.pools()) {
                if (matches(f.get("pool_names"), p.name()) && matches(f.get("pool_ids"), Integer.toString(p.id()))) {
                    rows.add(HwresView.procpool(def, p));
                }
            }
            return Listing.render(rows, o.fields(), o.header(), HwresView.PROCPOOL);
        }
        String level = r.equals("proc") ? o.oneOf("--level", "sys", "lpar", "pool")
                : o.oneOf("--level", "sys", "lpar");
        if (level.equals("sys")) {
            Filter.parse(o.get("--filter"), Set.of());
            if (r.equals("proc")) {
                return Listing.render(List.of(HwresView.procSys(cap)), o.fields(), o.header(), HwresView.PROC_SYS);
            }
            if (o.has("--maxmem")) {
                long max = parse(() -> Values.parseLong("--maxmem", o.get("--maxmem"), 1, 64L * 1024 * 1024),
                        "--maxmem");
                HptRatio ratio = o.has("--hptratio") ? parse(() -> HptRatio.parse("--hptratio", o.get("--hptratio")),
                        "--hptratio") : def.settings().defaultHptRatio();
                return Listing.render(List.of(HwresView.memRequired(max, ratio)), o.fields(), o.header(),
                        Set.of("required_partition_mem"));
            }
            return Listing.render(List.of(HwresView.memSys(cap, def.lmbMb())), o.fields(), o.header(),
                    HwresView.MEM_SYS);
        }
        if (level.equals("pool")) {
            Filter.parse(o.get("--filter"), Set.of());
            return Listing.render(List.of(HwresView.procPool(cap)), o.fields(), o.header(), HwresView.PROC_POOL);
        }
        Filter f = Filter.parse(o.get("--filter"), Set.of("lpar_names", "lpar_ids", "pools"));
        List<Row> rows = new ArrayList<>();
        for (Partition p : SyscfgCommands.partitions(def, f)) {
            rows.add(r.equals("proc") ? HwresView.procLpar(def, p) : HwresView.memLpar(def, p));
        }
        return Listing.render(rows, o.fields(), o.header(), r.equals("proc") ? HwresView.PROC_LPAR
                : HwresView.MEM_LPAR);
    }

    private static boolean matches(List<String> wanted, String v) {
        return wanted == null || wanted.contains(v);
    }

    private static <T> T parse(java.util.function.Supplier<T> s, String option) {
        try {
            return s.get();
        } catch (ModelException e) {
            throw HmcException.badParameter(option);
        }
    }

    HmcResult chhwres(Hmc.Context c) {
        Options o = new Options().values("-r", "-m", "-o", "--poolname", "--id", "-a", "-p", "-w", "-d")
                .flags("--force").parse(c.args());
        o.oneOf("-r", "procpool");
        Systems.check(c.sys(), o.require("-m"));
        o.oneOf("-o", "s");
        String[] sel = o.exactlyOne("--poolname", "--id");
        SystemDefinition def = c.sys().definition();
        SharedProcessorPool pool;
        if (sel[0].equals("--id")) {
            int id = parse(() -> Values.parseInt("--id", sel[1], 0, Limits.MAX_SHARED_PROC_POOLS - 1), "--id");
            pool = def.pool(id).orElseThrow();
        } else {
            pool = def.pool(sel[1]).orElseThrow(() -> ModelException.of(ModelException.Kind.POOL_NOT_FOUND,
                    "The shared processor pool named " + Values.quote(sel[1]) + " was not found."));
        }
        c.sys().changePool(pool, AttributeInput.parseRecord(o.require("-a")), c.inv().user());
        return HmcResult.OK;
    }
}
