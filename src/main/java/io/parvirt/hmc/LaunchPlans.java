package io.parvirt.hmc;

import io.parvirt.model.Allocation;
import io.parvirt.model.Partition;
import io.parvirt.partition.LaunchPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code chsysstate -r lpar -o on --test} (a parvirt extension): the resources the activation
 * would take, as {@code lshwres} names them, then the command line it would run, quoted for a
 * POSIX shell so that it can be pasted.
 */
final class LaunchPlans {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:=,@%+-]+");

    private LaunchPlans() {
    }

    static String describe(Partition p, LaunchPlan plan) {
        Allocation a = plan.allocation();
        List<String> attrs = new ArrayList<>();
        attrs.add("lpar_name=" + p.name());
        attrs.add("lpar_id=" + p.id());
        attrs.add("curr_profile=" + plan.profile());
        attrs.add("curr_mem=" + a.memMb());
        attrs.add("curr_max_mem=" + plan.spec().maxMemMb());
        attrs.add("curr_proc_mode=" + (a.dedicated() ? "ded" : "shared"));
        attrs.add("curr_procs=" + a.vcpus());
        attrs.add("curr_max_procs=" + plan.spec().maxVcpus());
        if (!a.dedicated()) {
            attrs.add("curr_proc_units=" + a.procUnits());
            attrs.add("curr_uncap_weight=" + a.uncapWeight());
            attrs.add("curr_shared_proc_pool_id=" + a.poolId());
        }
        attrs.add("curr_sharing_mode=" + a.sharingMode().hmcName());
        attrs.add("accel=" + plan.spec().accel().qemuName());
        StringBuilder out = new StringBuilder(String.join(",", attrs)).append('\n');
        for (int i = 0; i < plan.commandLine().size(); i++) {
            out.append(i == 0 ? "" : " ").append(quote(plan.commandLine().get(i)));
        }
        return out.append('\n').toString();
    }

    static String quote(String arg) {
        return PLAIN.matcher(arg).matches() ? arg : "'" + arg.replace("'", "'\\''") + "'";
    }
}
